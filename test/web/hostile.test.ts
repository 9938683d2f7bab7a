/**
 * Hostile input over a real socket: path tricks, malformed encodings, oversized and slow
 * uploads, stalled clients, and many idle connections.
 */
import { expect } from 'chai';
import type { Socket } from 'node:net';
import { A, B, harness, rawSocket, readUntilClosed, send, type Harness } from './helpers.js';

describe('web/WebServer against hostile input', () => {
  let h: Harness;
  /** Bytes each /upload call actually saw. */
  const seen: number[] = [];

  before(async () => {
    h = harness(
      (r) => {
        r.register(
          A,
          '/public',
          (_req, ctx) => Response.json({ resource: 'public', sub: ctx.subpath }),
          {
            prefix: true,
          },
        );
        r.register(B, '/secret', () => Response.json({ resource: 'secret' }));
        r.register(B, '/public/admin', () => Response.json({ resource: 'admin' }));
        r.register(A, '/upload', async (req) => {
          try {
            const body = await req.arrayBuffer();
            seen.push(body.byteLength);
            return Response.json({ bytes: body.byteLength });
          } catch (err) {
            seen.push(-1);
            throw err;
          }
        });
        r.register(A, '/stream-upload', async (req) => {
          let total = 0;
          const reader = req.body!.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            total += value.byteLength;
          }
          seen.push(total);
          return Response.json({ bytes: total });
        });
      },
      { max_request_size: 1000, headers_timeout: 300, request_timeout: 600 },
    );
    await h.listen();
  });
  after(() => h.close());

  const resourceAt = async (path: string) => {
    const res = await send(h.url, 'GET', path);
    return res.status === 200
      ? (JSON.parse(res.body) as { resource: string }).resource
      : res.status;
  };

  it('resolves dot segments before routing, so they never escape a prefix', async () => {
    expect(await resourceAt('/public/../secret')).to.equal('secret'); // as written plainly: /secret
    expect(await resourceAt('/public/%2e%2e/secret')).to.equal('secret');
    expect(await resourceAt('/public/%2E%2e/%2e%2E/secret')).to.equal('secret');
    expect(await resourceAt('/public/x/../y')).to.equal('public');
    const sub = await send(h.url, 'GET', '/public/a/./b/../c');
    expect(JSON.parse(sub.body).sub).to.equal('/a/c');
  });

  it('treats encoded slashes as slashes: they reach only what the plain path reaches', async () => {
    expect(await resourceAt('/public%2fadmin')).to.equal('admin');
    expect(await resourceAt('/public%2Fadmin')).to.equal(await resourceAt('/public/admin'));
    expect(await resourceAt('/public%2f..%2fsecret')).to.equal('secret');
    expect(await resourceAt('/secret%2f')).to.equal(404); // "/secret/" is another path
  });

  it('collapses empty segments and "/./"', async () => {
    expect(await resourceAt('//secret')).to.equal('secret');
    expect(await resourceAt('/./secret')).to.equal('secret');
    expect(await resourceAt('/public//admin')).to.equal('admin');
  });

  it('cannot reach a reserved prefix through a trick', async () => {
    expect(await resourceAt('/public/../_matrix/client/v3/login')).to.equal(404);
    expect(await resourceAt('/%5fmatrix/client')).to.equal(404);
  });

  it('answers malformed percent-encoding and control characters with 400', async () => {
    for (const path of ['/public/%zz', '/public/%', '/public/%e9', '/public/a%00b']) {
      const res = await send(h.url, 'GET', path);
      expect(res.status, path).to.equal(400);
      expect(JSON.parse(res.body).errcode).to.equal('M_UNRECOGNIZED');
    }
  });

  it('refuses an oversized declared body with 413 without calling the handler', async () => {
    const before = seen.length;
    const res = await send(h.url, 'POST', '/upload', { body: Buffer.alloc(5000, 1) });
    expect(res.status).to.equal(413);
    expect(res.headers.connection).to.equal('close');
    expect(seen.length).to.equal(before);
  });

  it('stops a chunked upload at the limit: 413, and the handler never sees more', async () => {
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'y'.repeat(400);
    for (let i = 0; i < 5; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    socket.write('0\r\n\r\n');
    const text = await reply;
    expect(text).to.match(/^HTTP\/1\.1 413 /);
    expect(seen.at(-1)).to.equal(-1);
  });

  it('limits streamed bodies too (request.body)', async () => {
    const res = await send(h.url, 'POST', '/stream-upload', {
      body: Buffer.alloc(800, 1),
    });
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body).bytes).to.equal(800);
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    socket.write('POST /stream-upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 4; i++) socket.write(`190\r\n${'z'.repeat(400)}\r\n`);
    socket.write('0\r\n\r\n');
    expect(await reply).to.match(/^HTTP\/1\.1 413 /);
  });

  it('closes a client that stalls while sending headers', async () => {
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    socket.write('GET /secret HTTP/1.1\r\nHost: x\r\n'); // never finishes the headers
    expect(await reply).to.match(/^HTTP\/1\.1 408 /);
  });

  it('closes a client that stalls while sending the body', async () => {
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789');
    const text = await reply; // closed by the request timeout, whatever it managed to send
    expect(text).not.to.match(/^HTTP\/1\.1 200 /);
  });

  it('closes a connection that never sends anything', async () => {
    const socket = await rawSocket(h.url);
    await readUntilClosed(socket);
  });

  it('answers a malformed request line with 400 and closes', async () => {
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    socket.write('THIS IS NOT HTTP\r\n\r\n');
    expect(await reply).to.match(/^HTTP\/1\.1 400 /);
  });

  it('keeps serving while thousands of idle connections are open', async function () {
    this.timeout(30_000);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 2000; i++) sockets.push(await rawSocket(h.url));
      const res = await send(h.url, 'GET', '/secret');
      expect(res.status).to.equal(200);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});

describe('web/WebServer with Expect: 100-continue', () => {
  it('refuses an oversized upload without inviting the body, and continues small ones', async () => {
    const h = harness((r) => r.register(A, '/up', async (req) => new Response(await req.text())), {
      max_request_size: 100,
    });
    const url = await h.listen();
    try {
      const big = await rawSocket(url);
      const bigReply = readUntilClosed(big);
      big.write(
        'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n',
      );
      const text = await bigReply;
      expect(text).to.match(/^HTTP\/1\.1 413 /);
      expect(text).not.to.include('100 Continue');
      const small = await rawSocket(url);
      const first = new Promise<string>((resolve) =>
        small.once('data', (d: Buffer) => resolve(d.toString('latin1'))),
      );
      small.write(
        'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
      );
      expect(await first).to.match(/^HTTP\/1\.1 100 Continue/);
      const rest = readUntilClosed(small);
      small.end('hello');
      expect(await rest).to.match(/200 OK[\s\S]*hello$/);
    } finally {
      await h.close();
    }
  });
});
