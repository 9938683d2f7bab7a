/**
 * Hostile and broken handler results, broken response streams, odd request targets, bad JSON
 * through `request.json()` and aborted uploads: each answered (never a crash or an unhandled
 * rejection), over a real loopback server and through `server.fetch` where a socket is not needed.
 */
import { expect } from 'chai';
import type { LogRecord } from '../../src/logging/logger.js';
import type { WebRegistry } from '../../src/web/registry.js';
import { A, B, gate, harness, rawSocket, readUntilClosed, send, type Harness } from './helpers.js';

const INTERNAL = { errcode: 'M_UNKNOWN', error: 'Internal server error' };

const throwingProxy = () =>
  new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error('trap');
      },
    },
  );

const aborted = { upload: gate(), stream: gate() };

function setup(r: WebRegistry): void {
  r.register(B, '/then-getter', (() => ({
    get then() {
      throw new Error('boom');
    },
  })) as never);
  r.register(B, '/proxy', throwingProxy as never);
  r.register(B, '/async-proxy', (async () => throwingProxy()) as never);
  r.register(B, '/consumed', async () => {
    const response = new Response('abc');
    await response.text();
    return response;
  });
  r.register(B, '/locked', () => {
    const response = new Response('abc');
    response.body!.getReader();
    return response;
  });
  r.register(B, '/network-error', () => Response.error());
  r.register(B, '/async-network-error', async () => Response.error());
  r.register(A, '/json', async (req) => Response.json({ got: await req.json() }));
  r.register(A, '/json-caught', async (req) => {
    try {
      await req.json();
      return new Response('parsed');
    } catch (err) {
      return new Response(err instanceof SyntaxError ? 'SyntaxError' : 'other');
    }
  });
  r.register(B, '/stream-fails-at-once', () => {
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('no data today'));
      },
    });
    return new Response(body, { headers: { 'x-lost': '1' } });
  });
  r.register(B, '/stream-breaks', () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new TextEncoder().encode('part1'));
          return;
        }
        // Give the first chunk time to reach the socket before the failure.
        await new Promise((resolve) => setImmediate(resolve));
        controller.error(new Error('broke midway'));
      },
    });
    return new Response(body);
  });
  r.register(B, '/upload', async (req) => {
    try {
      return new Response(await req.text());
    } finally {
      aborted.upload.open();
    }
  });
  r.register(B, '/stream-upload', async (req) => {
    try {
      const reader = req.body!.getReader();
      let total = 0;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        total += chunk.value.byteLength;
      return new Response(String(total));
    } finally {
      aborted.stream.open();
    }
  });
}

interface Reply {
  status: number;
  body: string;
}

type Call = (method: string, path: string, body?: string) => Promise<Reply>;

const errorsOf = (records: LogRecord[], from: number) =>
  records.slice(from).filter((r) => r.levelName === 'error' || r.levelName === 'fatal');

for (const transport of ['socket', 'fetch'] as const) {
  describe(`web/WebServer hardening over ${transport}`, () => {
    let h: Harness;
    let call: Call;

    before(async () => {
      h = harness(setup);
      if (transport === 'socket') {
        await h.listen();
        call = (method, path, body) => send(h.url, method, path, { body });
      } else {
        call = async (method, path, body) => {
          const res = await h.server.fetch(
            new Request(`http://localhost${path}`, { method, body }),
          );
          return { status: res.status, body: await res.text() };
        };
      }
    });
    after(() => h.close());

    const expectLogged500 = async (path: string, text: string) => {
      const before = h.records.length;
      const res = await call('GET', path);
      expect(res.status, path).to.equal(500);
      expect(JSON.parse(res.body), path).to.deep.equal(INTERNAL);
      const logged = errorsOf(h.records, before);
      expect(logged, path).to.have.length(1);
      expect(logged[0]!.module, path).to.equal('b');
      expect(logged[0]!.msg, path).to.include(path).and.to.include(text);
    };

    it('answers a result with a throwing `then` getter or a throwing Proxy with a logged 500', async () => {
      for (const path of ['/then-getter', '/proxy', '/async-proxy'])
        await expectLogged500(path, 'inspection threw');
      expect((await call('POST', '/json-caught', 'null')).body).to.equal('parsed'); // still serving
    });

    it('answers a Response whose body was already read or locked with a logged 500', async () => {
      await expectLogged500('/consumed', 'already read');
      await expectLogged500('/locked', 'locked');
    });

    it('answers Response.error() (status 0) with a logged 500', async () => {
      await expectLogged500('/network-error', 'Response.error()');
      await expectLogged500('/async-network-error', 'Response.error()');
    });

    it('answers request.json() on a body that is not JSON with 400 M_NOT_JSON, like readJson', async () => {
      const before = h.records.length;
      const bad = await call('POST', '/json', '{"x":');
      expect(bad.status).to.equal(400);
      expect(JSON.parse(bad.body).errcode).to.equal('M_NOT_JSON');
      expect(JSON.parse(bad.body).error).to.include('not valid JSON');
      const empty = await call('POST', '/json', '');
      expect(empty.status).to.equal(400);
      expect(JSON.parse(empty.body).error).to.include('empty');
      expect(errorsOf(h.records, before)).to.deep.equal([]);
      const good = await call('POST', '/json', '[1]');
      expect(JSON.parse(good.body)).to.deep.equal({ got: [1] });
      // Fetch semantics are kept: a handler may still catch it as a SyntaxError.
      expect((await call('POST', '/json-caught', '{')).body).to.equal('SyntaxError');
    });
  });
}

describe('web/WebServer hardening over socket only', () => {
  let h: Harness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    h = harness(setup, { max_request_size: 1000 });
    await h.listen();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await h.close();
  });

  it('answers a body stream that fails before sending anything with a clean logged 500', async () => {
    const before = h.records.length;
    const res = await send(h.url, 'GET', '/stream-fails-at-once');
    expect(res.status).to.equal(500);
    expect(JSON.parse(res.body)).to.deep.equal(INTERNAL);
    expect(res.headers['x-lost']).to.equal(undefined);
    const logged = errorsOf(h.records, before);
    expect(logged).to.have.length(1);
    expect(logged[0]!.module).to.equal('b');
    expect(logged[0]!.msg).to.include('/stream-fails-at-once');
  });

  it('closes the connection and logs a warning when a body stream breaks midway', async () => {
    const before = h.records.length;
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    socket.write('GET /stream-breaks HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await reply;
    expect(text).to.match(/^HTTP\/1\.1 200 /);
    expect(text).to.include('part1');
    expect(text).not.to.match(/\r\n0\r\n\r\n$/); // never the last chunk: the client sees the failure
    const warned = h.records.slice(before).filter((r) => r.levelName === 'warn');
    expect(warned).to.have.length(1);
    expect(warned[0]!.module).to.equal('b');
    expect(warned[0]!.msg).to.include('/stream-breaks');
  });

  it('answers asterisk-form (204 for OPTIONS *, else 400) and other non-path targets with a fitting 400', async () => {
    const ask = async (line: string) => {
      const socket = await rawSocket(h.url);
      const reply = readUntilClosed(socket);
      socket.end(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
      return reply;
    };
    expect(await ask('OPTIONS * HTTP/1.1')).to.match(/^HTTP\/1\.1 204 /);
    const get = await ask('GET * HTTP/1.1');
    expect(get).to.match(/^HTTP\/1\.1 400 /);
    expect(get).to.include('only valid with OPTIONS');
    expect(get).not.to.include('percent-encoding');
    const unparsable = await ask('GET http://[bad HTTP/1.1');
    expect(unparsable).to.match(/^HTTP\/1\.1 400 /);
    expect(unparsable).to.include('expected an absolute path');
  });

  for (const kind of ['upload', 'stream'] as const) {
    it(`logs a client that aborts an upload (${kind}) at debug level, without a stack`, async () => {
      const before = h.records.length;
      const socket = await rawSocket(h.url);
      const path = kind === 'upload' ? '/upload' : '/stream-upload';
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789`);
      // Let the handler start reading, then go away.
      await new Promise((resolve) => setImmediate(resolve));
      socket.destroy();
      await aborted[kind].promise;
      let record: LogRecord | undefined;
      for (let i = 0; i < 1000 && record === undefined; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        record = h.records.slice(before).find((r) => r.msg?.includes('Client closed'));
      }
      expect(record, 'a log record about the client').not.to.equal(undefined);
      expect(record!.levelName).to.equal('debug');
      expect(record!.module).to.equal('b');
      expect(record).not.to.have.property('err');
      expect(errorsOf(h.records, before)).to.deep.equal([]);
    });
  }

  it('left no unhandled rejection behind', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).to.deep.equal([]);
  });
});
