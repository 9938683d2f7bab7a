/**
 * Flow control of bodies across the isolation boundary: with a slow reader on one side, the
 * producer on the other is read only a window ahead, and the bytes waiting in the receiving
 * thread stay under it. Counted in chunks pulled and bytes buffered, never timed: each check
 * comes after many round trips on the same channel, which is where an unbounded sender would
 * have pushed everything.
 */
import { expect } from 'chai';
import { MessageChannel } from 'node:worker_threads';
import { createTestHost, type TestHost } from 'modhost/testing';
import { Channel, STREAM_WINDOW } from '../../src/isolation/protocol.js';
import { STREAM_CHUNK } from '../fixtures/isolation/streamer.js';
import { waitFor } from '../cluster/wait-for.js';
import { builtFixture } from '../helpers/paths.js';

const CHUNK = 16 * 1024;
const TOTAL_CHUNKS = 256; // 4 MiB, sixteen windows

/** A source of numbered chunks that counts how many were pulled from it, and whether it was cancelled. */
function countingSource(chunks = TOTAL_CHUNKS, size = CHUNK) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled === chunks) return controller.close();
        controller.enqueue(new Uint8Array(size).fill(state.pulled++ % 251));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { state, stream };
}

describe('isolation: streamed bodies are flow-controlled', () => {
  let port1: MessageChannel['port1'];
  let port2: MessageChannel['port2'];
  let sender: Channel;
  let receiver: Channel;
  beforeEach(() => {
    ({ port1, port2 } = new MessageChannel());
    sender = new Channel(port1);
    receiver = new Channel(port2);
    receiver.handle('ping', () => 'pong');
  });
  afterEach(() => {
    port1.close();
    port2.close();
  });

  /** Many round trips: time for every message either side would send to arrive. */
  const settle = async () => {
    for (let i = 0; i < 50; i++) await sender.request('ping', null);
  };

  it('reads the producer only a window ahead of a slow reader, and delivers every byte in order', async () => {
    const { state, stream } = countingSource();
    const reader = receiver.receiveStream(sender.sendStream(stream)).getReader();
    const window = STREAM_WINDOW / CHUNK;

    await settle();
    // Nothing read yet: one window is on its way or waiting, not the whole body.
    expect(state.pulled).to.be.at.most(window + 1);
    expect(receiver.bufferedBytes).to.be.at.most(STREAM_WINDOW);
    expect(sender.unackedBytes).to.be.at.most(STREAM_WINDOW);

    // A slow reader: a few chunks at a time; the producer follows, a window ahead at most.
    let read = 0;
    const check = (bytes: Uint8Array) => {
      expect(bytes.byteLength).to.equal(CHUNK);
      expect(bytes[0]).to.equal(read % 251);
      read++;
    };
    for (let step = 0; step < 5; step++) {
      for (let i = 0; i < 3; i++) check((await reader.read()).value!);
      await settle();
      expect(state.pulled - read).to.be.at.most(window + 1);
      expect(receiver.bufferedBytes).to.be.at.most(STREAM_WINDOW);
    }
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      check(next.value);
    }
    expect(read).to.equal(TOTAL_CHUNKS);
    expect(receiver.bufferedBytes).to.equal(0);
    expect(sender.unackedBytes).to.equal(0);
  });

  it('a reader that cancels stops the producer, and the chunks on their way are dropped', async () => {
    const { state, stream } = countingSource();
    const body = receiver.receiveStream(sender.sendStream(stream));
    const reader = body.getReader();
    await reader.read();
    await reader.cancel();
    await settle();
    expect(state.cancelled).to.equal(true);
    expect(state.pulled).to.be.at.most(STREAM_WINDOW / CHUNK + 2);
    expect(receiver.bufferedBytes).to.equal(0);
    expect(sender.unackedBytes).to.equal(0);
  });

  it('a stream the receiver discards ends the producer; a reader still holding it gets the error', async () => {
    const { state, stream } = countingSource();
    const sid = sender.sendStream(stream);
    const reader = receiver.receiveStream(sid).getReader();
    await reader.read();
    receiver.discardStream(sid, () => new Error('the request is over'));
    await settle();
    expect(state.cancelled).to.equal(true);
    let error: Error | undefined;
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.equal('the request is over');
    expect(sender.unackedBytes).to.equal(0);
  });

  it('a chunk larger than the window still goes through (one at a time)', async () => {
    const big = STREAM_WINDOW * 2;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 3) return controller.close();
        sent++;
        controller.enqueue(new Uint8Array(big).fill(sent));
      },
    });
    const got: number[] = [];
    const reader = receiver.receiveStream(sender.sendStream(stream)).getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read())
      got.push(next.value.byteLength);
    expect(got).to.deep.equal([big, big, big]);
  });

  it('a closed channel ends a producer waiting for credit', async () => {
    const { state, stream } = countingSource();
    receiver.receiveStream(sender.sendStream(stream));
    await settle();
    sender.close(() => new Error('worker gone'));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.cancelled).to.equal(true);
  });
});

describe('isolation: a slow side holds the other across a whole host', function () {
  this.timeout(60_000);
  let host: TestHost;
  before(async () => {
    host = await createTestHost({
      modules: [
        { module: `${builtFixture('isolation/streamer.js')}#Streamer`, isolation: 'worker' },
      ],
    });
  });
  after(() => host?.stop());

  const url = (sub: string) => `http://x/_synapse/client/streamer${sub}`;
  const status = async () =>
    (await (await host.fetch(new Request(url('/status')))).json()) as {
      read: number;
      pulled: number;
    };
  /** Round trips through the host and the worker: time for anything unbounded to pile up. */
  const settle = async () => {
    for (let i = 0; i < 30; i++) await status();
  };
  /** What may sit between the producer and the reader besides the window: one chunk per stream stage. */
  const SLACK = 8;
  const window = STREAM_WINDOW / STREAM_CHUNK;

  it('an upload is read from the client only a window ahead of a module that reads slowly', async () => {
    const { state, stream } = countingSource(256, STREAM_CHUNK);
    const answer = host.fetch(
      new Request(url('/upload?first=3'), {
        method: 'POST',
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    await waitFor('the module read 3 chunks', async () => (await status()).read === 3);
    await settle();
    expect(state.pulled - 3).to.be.at.most(window + SLACK);
    await host.fetch(new Request(url('/release')));
    const res = await answer;
    expect(await res.json()).to.deep.equal({ bytes: 256 * STREAM_CHUNK });
    expect(state.pulled).to.equal(256);
  });

  it('a response is produced in the worker only a window ahead of a client that reads slowly', async () => {
    const res = await host.fetch(new Request(url('/download?chunks=256')));
    const reader = res.body!.getReader();
    let bytes = 0;
    for (let i = 0; i < 2; i++) bytes += (await reader.read()).value!.byteLength;
    await settle();
    const { pulled } = await status();
    expect(pulled).to.be.below(256);
    expect(pulled - bytes / STREAM_CHUNK).to.be.at.most(window + SLACK);
    for (let next = await reader.read(); !next.done; next = await reader.read())
      bytes += next.value.byteLength;
    expect(bytes).to.equal(256 * STREAM_CHUNK);
    expect((await status()).pulled).to.equal(256);
  });
});
