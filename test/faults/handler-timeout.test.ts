/**
 * #12.4 `server.handler_timeout`: a web handler that never answers gets 503 at its deadline,
 * its `request.signal` aborts so it can stop, its socket is free again, and every other
 * resource keeps serving. Over a real socket, through `host.fetch`, and in `modhost serve`.
 */
import { expect } from 'chai';
import { A, gate, harness, send, type Harness } from '../web/helpers.js';
import { ServeProcess } from './serve-process.js';

describe('faults: server.handler_timeout', function () {
  this.timeout(60_000);
  let h: Harness;
  let aborted = 0;
  let lateAnswers = 0;
  const release = gate();

  before(async () => {
    h = harness(
      (r) => {
        r.register(A, '/hang', (req) => {
          req.signal.addEventListener('abort', () => aborted++);
          return new Promise<Response>(() => undefined);
        });
        r.register(A, '/late', async () => {
          await release.promise;
          lateAnswers++;
          return new Response('too late');
        });
        r.register(A, '/stops', (req) => {
          // A well-behaved handler: stops its work with the signal's reason.
          return new Promise<Response>((_resolve, reject) =>
            req.signal.addEventListener('abort', () => reject(req.signal.reason as Error)),
          );
        });
        r.register(A, '/fast', async () => new Response('fast'));
      },
      { handler_timeout: 300 },
    );
    await h.listen();
  });
  after(() => h.close());

  it('answers 503 at the deadline and aborts request.signal (socket)', async () => {
    const [hung, fast] = await Promise.all([
      send(h.url, 'GET', '/hang'),
      send(h.url, 'GET', '/fast'),
    ]);
    expect(fast.status).to.equal(200);
    expect(hung.status).to.equal(503);
    expect(JSON.parse(hung.body)).to.deep.include({ errcode: 'M_UNKNOWN' });
    expect(aborted).to.equal(1);
    const logged = h.records.filter((r) => r.msg.includes('server.handler_timeout'));
    expect(logged).to.have.length(1);
    expect(logged[0]).to.include({ module: 'a', path: '/hang' });
  });

  it('drops what a handler returns after its deadline', async () => {
    const res = await send(h.url, 'GET', '/late');
    expect(res.status).to.equal(503);
    release.open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lateAnswers).to.equal(1);
  });

  it('does not log a second error when the handler stops with the signal', async () => {
    const before = h.records.filter((r) => r.level >= 50).length;
    const res = await send(h.url, 'GET', '/stops');
    expect(res.status).to.equal(503);
    await new Promise((resolve) => setImmediate(resolve));
    const errors = h.records.filter((r) => r.level >= 50).slice(before);
    expect(errors.map((r) => r.msg)).to.have.length(1);
    expect(errors[0]!.msg).to.include('did not answer within 300 ms');
  });

  it('applies to host.fetch too, aborting the signal the handler got', async () => {
    const before = aborted;
    const res = await h.server.fetch(new Request('http://x/hang'));
    expect(res.status).to.equal(503);
    expect(aborted).to.equal(before + 1);
  });

  it('holds in modhost serve (handler_timeout: 1s in the YAML)', async () => {
    const serve = await ServeProcess.start('test/faults/fixtures/ping.yaml');
    try {
      const [hung, ping] = await Promise.all([
        fetch(`${serve.url}/_synapse/client/ping/hang`),
        fetch(`${serve.url}/_synapse/client/ping`),
      ]);
      expect(ping.status).to.equal(200);
      expect(hung.status).to.equal(503);
      await hung.text();
      serve.child.kill('SIGTERM');
      expect(await serve.exited).to.equal(0);
      expect(serve.errorLines).to.have.length(1);
      expect(serve.errorLines[0]).to.include('"module":"ping"');
    } finally {
      serve.kill();
    }
  });
});
