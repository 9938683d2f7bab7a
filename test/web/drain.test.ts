/** Graceful stop: in-flight requests finish, new connections are refused, stragglers are cut. */
import { expect } from 'chai';
import { connect } from 'node:net';
import { A, gate, harness, rawSocket, readUntilClosed, send } from './helpers.js';

function refused(baseUrl: string): Promise<boolean> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('web/WebServer stop', () => {
  it('lets concurrent in-flight requests complete, refusing new connections meanwhile', async () => {
    const release = gate();
    let started = 0;
    const allStarted = gate();
    const h = harness((r) =>
      r.register(A, '/slow', async (req) => {
        if (++started === 20) allStarted.open();
        await release.promise;
        return Response.json({ id: new URL(req.url).searchParams.get('id') });
      }),
    );
    const url = await h.listen();
    const replies = Array.from({ length: 20 }, (_, i) => send(url, 'GET', `/slow?id=${i}`));
    await allStarted.promise;
    const closed = h.close();
    expect(await refused(url)).to.equal(true);
    release.open();
    const results = await Promise.all(replies);
    for (const [i, res] of results.entries()) {
      expect(res.status).to.equal(200);
      expect(JSON.parse(res.body)).to.deep.equal({ id: String(i) });
      expect(res.headers.connection).to.equal('close');
    }
    await closed;
    expect(h.server.url).to.equal(undefined);
  });

  it('closes idle keep-alive connections at once', async () => {
    const h = harness((r) => r.register(A, '/x', () => new Response('x')));
    const url = await h.listen();
    const socket = await rawSocket(url);
    const reply = readUntilClosed(socket);
    socket.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    await h.close(); // resolves although the keep-alive connection was open
    expect(await reply).to.match(/^HTTP\/1\.1 200 /);
  });

  it('answers /health with 503 while draining', async () => {
    const release = gate();
    const entered = gate();
    const h = harness((r) =>
      r.register(A, '/hold', async () => {
        entered.open();
        await release.promise;
        return new Response('done');
      }),
    );
    const url = await h.listen();
    const socket = await rawSocket(url);
    const reply = readUntilClosed(socket);
    socket.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    await entered.promise;
    const closed = h.close();
    const health = await h.server.fetch(new Request('http://x/health'));
    expect(health.status).to.equal(503);
    release.open();
    expect(await reply).to.match(/^HTTP\/1\.1 200 [\s\S]*done$/);
    await closed;
  });

  it('cuts requests still running after drain_timeout', async () => {
    const entered = gate();
    const h = harness(
      (r) =>
        r.register(A, '/never', () => {
          entered.open();
          return new Promise<Response>(() => undefined);
        }),
      { drain_timeout: 200 },
    );
    const url = await h.listen();
    const reply = send(url, 'GET', '/never').then(
      () => 'answered',
      () => 'connection closed',
    );
    await entered.promise;
    await h.close();
    expect(await reply).to.equal('connection closed');
    expect(h.records.some((r) => r.msg.includes('Drain time is over'))).to.equal(true);
  });

  it('close() before listen() and twice is harmless', async () => {
    const h = harness(() => undefined);
    await h.close();
    await h.listen();
    await Promise.all([h.close(), h.close()]);
  });

  it('fails to listen on a taken port with LISTEN_FAILED naming the address', async () => {
    const first = harness(() => undefined);
    const url = await first.listen();
    const second = harness(() => undefined, { port: Number(new URL(url).port) });
    try {
      await second.listen();
      expect.fail('expected listen to fail');
    } catch (err) {
      expect((err as { code: string }).code).to.equal('MODHOST_LISTEN_FAILED');
      expect((err as Error).message)
        .to.include(new URL(url).port)
        .and.include('server.port');
    } finally {
      await first.close();
    }
  });
});
