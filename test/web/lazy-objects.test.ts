/**
 * The stand-ins for Request and Response on the Node fast path behave like the real ones:
 * `instanceof`, the common members answered directly, and everything else through a real object.
 */
import { expect } from 'chai';
import { jsonResponse, textResponse, bytesResponse } from '../../src/web/json.js';
import { installFastGlobals } from '../../src/web/fast-globals.js';
import { untouchedParts } from '../../src/web/fast-response.js';
import { A, gate, harness, rawSocket, readUntilClosed, send, type Harness } from './helpers.js';

describe('web/lazy request on the Node path', () => {
  let h: Harness;
  let inspect: (req: Request) => Promise<unknown>;

  before(async () => {
    h = harness((r) =>
      r.register(A, '/inspect', (req) => inspect(req).then((v) => Response.json(v))),
    );
    await h.listen();
  });
  after(() => h.close());

  const probe = async (
    fn: (req: Request) => Promise<unknown>,
    method = 'GET',
    body?: string,
    headers?: Record<string, string>,
  ) => {
    inspect = fn;
    const res = await send(h.url, method, '/inspect?x=1', { body, headers });
    expect(res.status, res.body).to.equal(200);
    return JSON.parse(res.body) as unknown;
  };

  it('is an instanceof Request with method, url and headers', async () => {
    const got = await probe(
      async (req) => ({
        isRequest: req instanceof Request,
        method: req.method,
        url: req.url,
        custom: req.headers.get('x-custom'),
        tag: Object.prototype.toString.call(req),
      }),
      'GET',
      undefined,
      { 'x-custom': 'yes' },
    );
    expect(got).to.deep.include({ isRequest: true, method: 'GET', custom: 'yes' });
    expect((got as { url: string }).url).to.equal(`${h.url}/inspect?x=1`);
    expect((got as { tag: string }).tag).to.equal('[object Request]');
  });

  it('has Headers answering get/has like undici (case, duplicates) and everything else too', async () => {
    const got = await probe(
      async (req) => {
        const h = req.headers;
        const entries: string[] = [];
        h.forEach((value, name) => entries.push(`${name}=${value}`));
        let invalid = 'no error';
        try {
          h.get('bad name');
        } catch (err) {
          invalid = (err as Error).constructor.name;
        }
        return {
          isHeaders: h instanceof Headers,
          upper: h.get('X-MULTI'),
          has: h.has('x-single'),
          missing: h.get('x-missing'),
          invalid,
          entries: entries.filter((e) => e.startsWith('x-')),
          copied: new Headers(h).get('x-single'),
        };
      },
      'GET',
      undefined,
      { 'x-multi': 'a', 'X-Single': 'one' },
    );
    expect(got).to.deep.include({
      isHeaders: true,
      upper: 'a',
      has: true,
      missing: null,
      invalid: 'TypeError',
      copied: 'one',
    });
    expect((got as { entries: string[] }).entries).to.deep.equal(['x-multi=a', 'x-single=one']);
  });

  it('joins repeated request headers as undici does', async () => {
    const h = harness((r) =>
      r.register(A, '/hdr', (req) => new Response(req.headers.get('x-dup'))),
    );
    const url = await h.listen();
    try {
      const socket = await rawSocket(url);
      const reply = readUntilClosed(socket);
      socket.end(
        'GET /hdr HTTP/1.1\r\nHost: x\r\nX-Dup: 1\r\nx-dup: 2\r\nConnection: close\r\n\r\n',
      );
      expect(await reply).to.match(/\r\n\r\n1, 2$/);
    } finally {
      await h.close();
    }
  });

  it('reads the body as text, JSON or bytes, once', async () => {
    expect(await probe((req) => req.text(), 'POST', 'plain')).to.equal('plain');
    expect(await probe((req) => req.json(), 'POST', '{"a":1}')).to.deep.equal({ a: 1 });
    expect(
      await probe(async (req) => (await req.arrayBuffer()).byteLength, 'POST', 'abcd'),
    ).to.equal(4);
    expect(
      await probe(
        async (req) => {
          await req.text();
          const second = await req.text().then(
            () => 'read twice',
            (err: Error) => err.constructor.name,
          );
          return { second, used: req.bodyUsed };
        },
        'POST',
        'x',
      ),
    ).to.deep.equal({ second: 'TypeError', used: true });
  });

  it('builds a real Request for rarer members (body stream, clone, signal, formData)', async () => {
    const got = await probe(
      async (req) => {
        const copy = req.clone();
        return {
          hasSignal: req.signal instanceof AbortSignal,
          cloneIsRequest: copy instanceof Request,
          cloneText: await copy.text(),
          form: (await req.formData()).get('k'),
        };
      },
      'POST',
      'k=v',
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(got).to.deep.equal({
      hasSignal: true,
      cloneIsRequest: true,
      cloneText: 'k=v',
      form: 'v',
    });
  });

  it('can be wrapped by new Request(req) as handlers sometimes do', async () => {
    const got = await probe(
      async (req) => {
        const wrapped = new Request(req);
        return { method: wrapped.method, body: await wrapped.text() };
      },
      'PUT',
      'payload',
    );
    expect(got).to.deep.equal({ method: 'PUT', body: 'payload' });
  });
});

describe('web/request without the fast globals (server.fast_globals: false)', () => {
  it('still lets a handler wrap it with new Request(req), on every Node major', async () => {
    const before = { Request, Response };
    const h = harness(
      (r) =>
        r.register(A, '/wrap', async (req) => {
          const wrapped = new Request(req);
          return Response.json({
            same: Request === before.Request && Response === before.Response,
            isRequest: req instanceof Request,
            method: wrapped.method,
            body: await wrapped.text(),
          });
        }),
      { fast_globals: false },
    );
    const url = await h.listen();
    try {
      const res = await send(url, 'PUT', '/wrap', { body: 'payload' });
      expect(res.status, res.body).to.equal(200);
      expect(JSON.parse(res.body)).to.deep.equal({
        same: true,
        isRequest: true,
        method: 'PUT',
        body: 'payload',
      });
    } finally {
      await h.close();
    }
  });
});

describe('web/jsonResponse and friends', () => {
  it('are Responses that behave like real ones when read directly', async () => {
    const res = jsonResponse({ a: 1 }, { status: 201, headers: { 'x-a': 'b' } });
    expect(res).to.be.instanceOf(Response);
    expect(res.status).to.equal(201);
    expect(res.ok).to.equal(true);
    expect(res.headers.get('content-type')).to.equal('application/json');
    expect(res.headers.get('x-a')).to.equal('b');
    expect(await res.json()).to.deep.equal({ a: 1 });
    expect(res.bodyUsed).to.equal(true);
  });

  it('honour an explicit content type and binary bodies', async () => {
    const text = textResponse('<b>x</b>', { headers: { 'Content-Type': 'text/html' } });
    expect(text.headers.get('content-type')).to.equal('text/html');
    const bytes = bytesResponse(new Uint8Array([1, 2, 3]));
    expect(new Uint8Array(await bytes.arrayBuffer())).to.deep.equal(new Uint8Array([1, 2, 3]));
  });

  it('fall back to real Responses for unusual input, validated as undici does', () => {
    const cookies = jsonResponse(
      {},
      {
        headers: [
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ],
      },
    );
    expect(cookies.headers.getSetCookie()).to.deep.equal(['a=1', 'b=2']);
    expect(() => jsonResponse({}, { status: 99 })).to.throw(RangeError);
    expect(() => jsonResponse(undefined)).to.throw(TypeError, /cannot be serialised/);
  });

  it('are served with headers changed after creation', async () => {
    const h = harness((r) =>
      r.register(A, '/mutated', () => {
        const res = jsonResponse({ ok: true });
        res.headers.set('x-late', 'yes');
        return res;
      }),
    );
    const url = await h.listen();
    try {
      const res = await send(url, 'GET', '/mutated');
      expect(res.headers['x-late']).to.equal('yes');
      expect(JSON.parse(res.body)).to.deep.equal({ ok: true });
    } finally {
      await h.close();
    }
  });
});

describe('web/lazy request signal', () => {
  it('aborts request.signal when the client disconnects before the response', async () => {
    const aborted = gate();
    const entered = gate();
    const h = harness((r) =>
      r.register(A, '/long-poll', (req) => {
        req.signal.addEventListener('abort', () => aborted.open());
        entered.open();
        return new Promise<Response>(() => undefined);
      }),
    );
    const url = await h.listen();
    try {
      const socket = await rawSocket(url);
      socket.write('GET /long-poll HTTP/1.1\r\nHost: x\r\n\r\n');
      await entered.promise;
      socket.destroy();
      await aborted.promise;
    } finally {
      await h.close();
    }
  });
});

describe('web/installFastGlobals', () => {
  it('makes Response.json cheap while keeping it a Response, and restores the original', async () => {
    const original = { Response, Request, fetch, json: Response.json };
    const uninstall = installFastGlobals();
    try {
      expect(Response).not.to.equal(original.Response);
      const second = installFastGlobals(); // counted: the first release keeps them
      second();
      second(); // acts once
      expect(Response).not.to.equal(original.Response);
      const res = Response.json({ a: 1 }, { status: 202, headers: { 'x-y': 'z' } });
      expect(res).to.be.instanceOf(Response);
      expect(res).to.be.instanceOf(original.Response);
      expect(new original.Response('x')).to.be.instanceOf(Response);
      expect(untouchedParts(res)).to.deep.include({ status: 202, body: '{"a":1}' });
      expect(res.headers.get('content-type')).to.equal('application/json');
      expect(await res.json()).to.deep.equal({ a: 1 });
      const copy = new Response(Response.json([1]).body);
      expect(await copy.text()).to.equal('[1]');
      expect(() => Response.json(undefined)).to.throw(TypeError);
      const h = harness((r) => r.register(A, '/j', () => Response.json({ ok: 1 })));
      const url = await h.listen();
      try {
        const reply = await send(url, 'GET', '/j');
        expect(reply.headers['content-type']).to.equal('application/json');
        expect(JSON.parse(reply.body)).to.deep.equal({ ok: 1 });
      } finally {
        await h.close();
      }
      expect(Response).not.to.equal(original.Response); // still ours: first use not released
    } finally {
      uninstall();
    }
    expect(Response).to.equal(original.Response);
    expect(Request).to.equal(original.Request);
    expect(fetch).to.equal(original.fetch);
    expect(Response.json).to.equal(original.json);
  });

  it('leaves a global that was replaced after it in place', () => {
    const original = Response;
    const uninstall = installFastGlobals();
    const theirs = class extends original {};
    globalThis.Response = theirs;
    try {
      uninstall();
      expect(Response).to.equal(theirs);
    } finally {
      globalThis.Response = original;
    }
  });
});
