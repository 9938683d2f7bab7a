/**
 * HTTP behaviour, checked both over a real listening server on loopback and through
 * `server.fetch` (no socket): the same rules and statuses either way.
 */
import { expect } from 'chai';
import { readJson, jsonResponse, textResponse } from '../../src/web/json.js';
import type { WebRegistry } from '../../src/web/registry.js';
import { A, B, harness, send, type Harness } from './helpers.js';

interface Reply {
  status: number;
  header(name: string): string | undefined;
  body: string;
}

type Call = (
  method: string,
  path: string,
  options?: { body?: string; headers?: Record<string, string> },
) => Promise<Reply>;

function setup(r: WebRegistry): void {
  r.register(A, '/_synapse/client/a/status', () => Response.json({ ok: true }), {
    methods: ['GET'],
  });
  r.register(A, '/fast', () => jsonResponse({ fast: true }, { headers: { 'x-extra': '1' } }));
  r.register(A, '/text', () => textResponse('hello', { status: 201 }));
  r.register(A, '/echo', async (req) => jsonResponse({ got: await readJson(req) }), {
    methods: ['POST'],
  });
  r.register(A, '/methods', {
    GET: () => new Response('get'),
    POST: async (req) => new Response(`post:${await req.text()}`),
  });
  r.register(
    A,
    '/files',
    (_req, ctx) => jsonResponse({ subpath: ctx.subpath, module: ctx.module }),
    {
      prefix: true,
    },
  );
  r.register(B, '/throws', () => {
    throw new Error('secret detail at /srv/app.js:12');
  });
  r.register(B, '/rejects', async () => {
    throw new TypeError('async failure');
  });
  r.register(B, '/not-a-response', (() => ({ status: 200 })) as never);
  r.register(B, '/undefined', (() => undefined) as never);
  r.register(A, '/stream', () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('part1,'));
        controller.enqueue(encoder.encode('part2'));
        controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  });
  r.register(A, '/cookies', () => {
    const headers = new Headers();
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    return new Response('c', { headers });
  });
  r.register(A, '/query', (req, ctx) =>
    jsonResponse({ q: ctx.url.searchParams.get('q'), url: new URL(req.url).pathname }),
  );
  r.register(A, '/big-stream', () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(120);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 32) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    return new Response(body);
  });
  r.register(A, '/no-content', () => new Response(null, { status: 204 }));
}

function socketCall(h: Harness): Call {
  return async (method, path, options) => {
    const res = await send(h.url, method, path, options);
    return {
      status: res.status,
      header: (name) => {
        const v = res.headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      },
      body: res.body,
    };
  };
}

function fetchCall(h: Harness): Call {
  return async (method, path, options) => {
    const res = await h.server.fetch(
      new Request(`http://localhost${path}`, {
        method,
        body: options?.body,
        headers: options?.headers,
      }),
    );
    const text = await res.text();
    return {
      status: res.status,
      header: (name) => res.headers.get(name) ?? undefined,
      body: text,
    };
  };
}

for (const transport of ['socket', 'fetch'] as const) {
  describe(`web/WebServer over ${transport}`, () => {
    let h: Harness;
    let call: Call;

    before(async () => {
      h = harness(setup);
      if (transport === 'socket') await h.listen();
      call = transport === 'socket' ? socketCall(h) : fetchCall(h);
    });
    after(() => h.close());

    it('serves a module resource built with Response.json', async () => {
      const res = await call('GET', '/_synapse/client/a/status');
      expect(res.status).to.equal(200);
      expect(res.header('content-type')).to.equal('application/json');
      expect(JSON.parse(res.body)).to.deep.equal({ ok: true });
    });

    it('serves jsonResponse / textResponse with their headers and status', async () => {
      const fast = await call('GET', '/fast');
      expect(fast.status).to.equal(200);
      expect(fast.header('x-extra')).to.equal('1');
      expect(fast.header('content-length')).to.equal(String(fast.body.length));
      expect(JSON.parse(fast.body)).to.deep.equal({ fast: true });
      const text = await call('GET', '/text');
      expect(text.status).to.equal(201);
      expect(text.header('content-type')).to.equal('text/plain; charset=utf-8');
      expect(text.body).to.equal('hello');
    });

    it('answers a method outside `methods` with 405 and Allow', async () => {
      const res = await call('POST', '/_synapse/client/a/status');
      expect(res.status).to.equal(405);
      expect(res.header('allow')).to.equal('GET, HEAD');
      expect(JSON.parse(res.body)).to.have.property('errcode', 'M_UNRECOGNIZED');
    });

    it('serves HEAD from GET without a body', async () => {
      const get = await call('GET', '/_synapse/client/a/status');
      const head = await call('HEAD', '/_synapse/client/a/status');
      expect(head.status).to.equal(200);
      expect(head.body).to.equal('');
      expect(head.header('content-type')).to.equal('application/json');
      expect(head.header('content-length')).to.equal(String(get.body.length));
      const fastHead = await call('HEAD', '/fast');
      expect(fastHead.body).to.equal('');
      expect(fastHead.header('content-length')).to.equal('13');
    });

    it('dispatches handler objects per method, with 405 for the others', async () => {
      expect((await call('GET', '/methods')).body).to.equal('get');
      expect((await call('POST', '/methods', { body: 'x' })).body).to.equal('post:x');
      const put = await call('PUT', '/methods');
      expect(put.status).to.equal(405);
      expect(put.header('allow')).to.equal('GET, HEAD, POST');
    });

    it('gives prefix resources the remaining sub-path and context', async () => {
      const res = await call('GET', '/files/a/b.txt');
      expect(JSON.parse(res.body)).to.deep.equal({ subpath: '/a/b.txt', module: 'a' });
      expect(JSON.parse((await call('GET', '/files')).body).subpath).to.equal('');
    });

    it('answers an unknown path with 404 and a JSON error', async () => {
      const res = await call('GET', '/nothing/here');
      expect(res.status).to.equal(404);
      expect(res.header('content-type')).to.equal('application/json');
      expect(JSON.parse(res.body)).to.have.property('errcode', 'M_UNRECOGNIZED');
    });

    it('turns a throwing handler into a 500 without details, logged with the module name', async () => {
      for (const path of ['/throws', '/rejects']) {
        const before = h.records.length;
        const res = await call('GET', path);
        expect(res.status).to.equal(500);
        expect(JSON.parse(res.body)).to.deep.equal({
          errcode: 'M_UNKNOWN',
          error: 'Internal server error',
        });
        expect(res.body).not.to.include('secret');
        const logged = h.records.slice(before).find((r) => r.levelName === 'error');
        expect(logged?.module).to.equal('b');
        expect(logged?.msg).to.include(path);
      }
    });

    it('turns a result that is not a Response into a 500, logged with the module name', async () => {
      for (const path of ['/not-a-response', '/undefined']) {
        const before = h.records.length;
        const res = await call('GET', path);
        expect(res.status).to.equal(500);
        expect(JSON.parse(res.body)).to.have.property('errcode', 'M_UNKNOWN');
        const logged = h.records.slice(before).find((r) => r.levelName === 'error');
        expect(logged?.module).to.equal('b');
        expect(logged?.msg).to.include('instead of a Response');
      }
    });

    it('reads JSON bodies, and answers bad JSON with 400 M_NOT_JSON', async () => {
      const good = await call('POST', '/echo', { body: '{"x":[1,2]}' });
      expect(good.status).to.equal(200);
      expect(JSON.parse(good.body)).to.deep.equal({ got: { x: [1, 2] } });
      const bad = await call('POST', '/echo', { body: '{"x":' });
      expect(bad.status).to.equal(400);
      expect(JSON.parse(bad.body).errcode).to.equal('M_NOT_JSON');
      const empty = await call('POST', '/echo', { body: '' });
      expect(empty.status).to.equal(400);
      expect(JSON.parse(empty.body).error).to.include('empty');
    });

    it('answers 413 when the body is larger than max_request_size', async () => {
      const res = await call('POST', '/echo', { body: JSON.stringify('x'.repeat(2000)) });
      expect(res.status).to.equal(413);
      expect(JSON.parse(res.body).errcode).to.equal('M_TOO_LARGE');
    });

    it('streams general Response bodies and keeps repeated Set-Cookie headers', async () => {
      expect((await call('GET', '/stream')).body).to.equal('part1,part2');
      const cookies = await call('GET', '/cookies');
      expect(cookies.header('set-cookie')).to.equal('a=1, b=2');
    });

    it('streams a large body completely (with backpressure)', async () => {
      const res = await call('GET', '/big-stream');
      expect(res.status).to.equal(200);
      expect(res.body.length).to.equal(32 * 64 * 1024);
    });

    it('passes the query string through to the handler', async () => {
      const res = await call('GET', '/query?q=hello%20world');
      expect(JSON.parse(res.body)).to.deep.equal({ q: 'hello world', url: '/query' });
    });

    it('serves responses without a body', async () => {
      const res = await call('GET', '/no-content');
      expect(res.status).to.equal(204);
      expect(res.body).to.equal('');
    });

    it('serves GET /health itself, and 405 for other methods', async () => {
      const res = await call('GET', '/health');
      expect(res.status).to.equal(200);
      expect(res.body).to.equal('OK');
      expect((await call('POST', '/health')).status).to.equal(405);
    });
  });
}
