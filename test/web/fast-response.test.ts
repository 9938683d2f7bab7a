/**
 * The lightweight Response against undici's own, kind by kind: whatever a caller can observe
 * (instanceof, status, headers, body as text/stream, clone, bodyUsed, errors) is the same, and
 * the server writes each kind with the right Content-Type, Content-Length and HEAD behaviour.
 */
import { expect } from 'chai';
import { FastResponse, OriginalResponse, untouchedParts } from '../../src/web/fast-response.js';
import { installFastGlobals } from '../../src/web/fast-globals.js';
import { A, harness, rawSocket, readUntilClosed, send } from './helpers.js';

const Fast = FastResponse as unknown as typeof Response;

type Make = (R: typeof Response) => Response;

const bytes = () => new Uint8Array([104, 105, 33]);
const KINDS: Record<string, Make> = {
  string: (R) => new R('hello', { status: 201, headers: { 'X-A': 'b' } }),
  'string, Headers init': (R) => new R('hello', { headers: new Headers([['x-a', 'b']]) }),
  'string, pairs init, statusText': (R) =>
    new R('x', { status: 299, statusText: 'Fine', headers: [['x-a', 'b']] }),
  Uint8Array: (R) => new R(bytes()),
  ArrayBuffer: (R) => new R(bytes().buffer),
  DataView: (R) => new R(new DataView(bytes().buffer, 1, 2)),
  Blob: (R) => new R(new Blob(['blob!'], { type: 'text/x-blob' })),
  'Blob without type': (R) => new R(new Blob(['blob!'])),
  URLSearchParams: (R) => new R(new URLSearchParams({ a: '1', b: 'two words' })),
  ReadableStream: (R) =>
    new R(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('str'));
          c.enqueue(new TextEncoder().encode('eam'));
          c.close();
        },
      }),
    ),
  null: (R) => new R(null, { status: 204 }),
  undefined: (R) => new R(),
  'Response.json': (R) => R.json({ a: [1, 'é'] }, { status: 202, headers: { 'x-j': '1' } }),
  'Response.json, own type': (R) =>
    R.json(1, { headers: { 'content-type': 'application/vnd+json' } }),
  'Response.redirect': (R) => R.redirect('http://example.org/a b', 307),
};

async function observe(response: Response) {
  const headers: string[] = [];
  const out = {
    instance: response instanceof OriginalResponse,
    tag: Object.prototype.toString.call(response),
    status: response.status,
    ok: response.ok,
    statusText: response.statusText,
    type: response.type,
    url: response.url,
    redirected: response.redirected,
    usedBefore: response.bodyUsed,
    headers,
    hasBody: false,
    clone: '',
    text: '',
    usedAfter: false,
    second: '',
  };
  response.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
  out.hasBody = response.body !== null;
  out.clone = await response.clone().text();
  out.text = await response.text();
  out.usedAfter = response.bodyUsed;
  out.second = await response.text().then(
    (t) => `read again: ${t}`,
    (err: Error) => err.constructor.name,
  );
  return out;
}

describe('web/FastResponse is undici’s Response, observably', () => {
  for (const [kind, make] of Object.entries(KINDS)) {
    it(`${kind}: same status, headers, body, clone, bodyUsed as undici`, async () => {
      const fast = make(Fast);
      expect(fast instanceof Fast, 'instanceof the global').to.equal(true);
      expect(untouchedParts(fast), 'built lazily').not.to.equal(undefined);
      expect(await observe(fast)).to.deep.equal(await observe(make(OriginalResponse)));
    });
  }

  it('throws where undici throws, with the same error class', () => {
    const bad: Array<() => unknown> = [
      (R = Fast) => new R('x', { status: 99 }),
      (R = Fast) => new R('x', { status: 204 }),
      (R = Fast) => new R('x', { statusText: 'bad\n' }),
      (R = Fast) => new R('x', { headers: { 'bad name': 'x' } }),
      (R = Fast) => new R('x', { headers: { a: 'line\nbreak' } }),
      (R = Fast) => R.json(undefined),
      (R = Fast) => R.redirect('http://x/', 200),
      (R = Fast) => R.redirect('not a url'),
    ];
    for (const fn of bad) {
      const expected = errorClass(() => (fn as (R: typeof Response) => unknown)(OriginalResponse));
      expect(expected, String(fn)).not.to.equal('none');
      expect(errorClass(fn), String(fn)).to.equal(expected);
    }
    const stream = new ReadableStream();
    stream.getReader();
    expect(errorClass(() => new Fast(stream))).to.equal('TypeError');
  });

  it('normalises what undici normalises (trimmed values, repeated names, Set-Cookie)', async () => {
    const inits: ResponseInit[] = [
      { headers: { a: '  padded  ' } },
      {
        headers: [
          ['a', '1'],
          ['A', '2'],
        ],
      },
      {
        headers: [
          ['set-cookie', 'x=1'],
          ['set-cookie', 'y=2'],
        ],
      },
      { status: 201.0 },
    ];
    for (const init of inits) {
      const fast = new Fast('x', init);
      const real = new OriginalResponse('x', init);
      expect(entries(fast.headers), JSON.stringify(init)).to.deep.equal(entries(real.headers));
      expect(fast.headers.getSetCookie()).to.deep.equal(real.headers.getSetCookie());
    }
  });

  it('copies buffer bodies when built, as Fetch does', async () => {
    const data = bytes();
    const fast = new Fast(data);
    data[0] = 0;
    expect(await fast.text()).to.equal('hi!');
  });

  it('is subclassable: a subclass instance is a real Response with its own members', async () => {
    class Mine extends Fast {
      extra(): string {
        return 'mine';
      }
    }
    const mine = new Mine('sub', { status: 203 });
    expect(mine).to.be.instanceOf(Mine);
    expect(mine).to.be.instanceOf(Fast);
    expect(new Fast('x')).not.to.be.instanceOf(Mine);
    expect(mine.extra()).to.equal('mine');
    expect(mine.status).to.equal(203);
    expect(await mine.text()).to.equal('sub');
  });

  it('keeps responses independent when they share a default header list', () => {
    const [a, b] = [new Fast('a'), new Fast('b')];
    const [j, k] = [Fast.json(1), Fast.json(2)];
    expect(untouchedParts(a)!.flat).to.equal(untouchedParts(b)!.flat); // one shared list
    expect(() => (untouchedParts(a)!.flat as string[]).push('x', 'y')).to.throw(TypeError);
    a.headers.set('x-late', '1');
    j.headers.delete('content-type');
    expect(untouchedParts(b)!.headers).to.deep.equal({
      'content-type': 'text/plain;charset=UTF-8',
    });
    expect(entries(b.headers)).to.deep.equal(['content-type: text/plain;charset=UTF-8']);
    expect(entries(k.headers)).to.deep.equal(['content-type: application/json']);
  });

  it('hands many headers to undici, with the same result', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-h${i}`, `${i}`]));
    const fast = new Fast('x', { headers: many });
    expect(untouchedParts(fast)).to.equal(undefined); // built by undici at once
    expect(entries(fast.headers)).to.deep.equal(
      entries(new OriginalResponse('x', { headers: many }).headers),
    );
  });

  it('keeps headers changed after creation, and its body, when served', async () => {
    const fast = new Fast('after');
    fast.headers.set('x-late', '1');
    expect(untouchedParts(fast)).to.equal(undefined);
    expect(await fast.clone().text()).to.equal('after');
  });
});

describe('web/FastResponse served over a socket and through host.fetch', () => {
  let restore: () => void;
  before(() => {
    restore = installFastGlobals();
  });
  after(() => restore());

  const expectations: Record<string, { type: string | undefined; body: string }> = {
    string: { type: 'text/plain;charset=UTF-8', body: 'hello' },
    Uint8Array: { type: undefined, body: 'hi!' },
    Blob: { type: 'text/x-blob', body: 'blob!' },
    URLSearchParams: {
      type: 'application/x-www-form-urlencoded;charset=UTF-8',
      body: 'a=1&b=two+words',
    },
    ReadableStream: { type: undefined, body: 'stream' },
    'Response.json': { type: 'application/json', body: '{"a":[1,"é"]}' },
  };

  it('writes each kind with its type and length, and HEAD without the body', async () => {
    let make: Make = KINDS.string!;
    const h = harness((r) => r.register(A, '/kind', () => make(Response)));
    const url = await h.listen();
    try {
      for (const [kind, want] of Object.entries(expectations)) {
        make = KINDS[kind]!;
        const res = await send(url, 'GET', '/kind');
        expect(res.body, kind).to.equal(want.body);
        expect(res.headers['content-type'], kind).to.equal(want.type);
        expect(res.headers['content-length'], kind).to.equal(String(Buffer.byteLength(want.body)));
        const head = await send(url, 'HEAD', '/kind');
        expect(head.body, kind).to.equal('');
        expect(head.headers['content-length'], kind).to.equal(String(Buffer.byteLength(want.body)));
        const viaFetch = await h.server.fetch(new Request('http://x/kind'));
        expect(viaFetch, kind).to.be.instanceOf(OriginalResponse);
        expect(untouchedParts(viaFetch), kind).to.equal(undefined);
        expect(viaFetch.headers.get('content-length'), kind).to.equal(
          String(Buffer.byteLength(want.body)),
        );
        expect(await viaFetch.text(), kind).to.equal(want.body);
      }
      make = KINDS['Response.redirect']!;
      const redirect = await send(url, 'GET', '/kind');
      expect(redirect.status).to.equal(307);
      expect(redirect.headers.location).to.equal('http://example.org/a%20b');
    } finally {
      await h.close();
    }
  });

  it('streams a stream that is still producing, chunk by chunk', async () => {
    let push: ((s: string) => void) | undefined;
    let end: (() => void) | undefined;
    const h = harness((r) =>
      r.register(
        A,
        '/live',
        () =>
          new Response(
            new ReadableStream<Uint8Array>({
              start(c) {
                push = (s) => c.enqueue(new TextEncoder().encode(s));
                end = () => c.close();
                push('first;');
              },
            }),
          ),
      ),
    );
    const url = await h.listen();
    try {
      const socket = await rawSocket(url);
      const reply = readUntilClosed(socket);
      const firstData = new Promise<string>((resolve) =>
        socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))),
      );
      socket.write('GET /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const head = await firstData; // arrives before the stream ends
      expect(head).to.match(/transfer-encoding: chunked/i);
      push!('second');
      end!();
      expect(await reply).to.include('second');
    } finally {
      await h.close();
    }
  });

  it('closing the connection replaces a Connection header of the handler, once', async () => {
    // A chunked body the handler leaves unread closes the connection after the answer.
    const h = harness((r) =>
      r.register(A, '/conn', {
        POST: () => new Response('ok', { headers: { Connection: 'keep-alive', 'x-a': 'b' } }),
      }),
    );
    const url = await h.listen();
    try {
      const socket = await rawSocket(url);
      const reply = readUntilClosed(socket);
      socket.write(
        'POST /conn HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      );
      const head = (await reply).split('\r\n\r\n')[0]!.toLowerCase().split('\r\n');
      expect(head.filter((line) => line.startsWith('connection:'))).to.deep.equal([
        'connection: close',
      ]);
      expect(head).to.include.members(['x-a: b', 'content-length: 2']);
    } finally {
      await h.close();
    }
  });

  it('lets a handler pass its request to fetch() (the global unwraps the lazy request)', async () => {
    const h = harness((r) =>
      r.register(A, '/fwd', {
        PUT: async (req: Request) => {
          const answer = await fetch(req, { method: 'POST' });
          return new Response(`via fetch: ${await answer.text()}`);
        },
        POST: async (req: Request) => new Response(`posted ${await req.text()}`),
      }),
    );
    const url = await h.listen();
    try {
      const res = await send(url, 'PUT', '/fwd', { body: 'payload' });
      expect(res.body).to.equal('via fetch: posted payload');
    } finally {
      await h.close();
    }
  });

  it('serves real undici Responses (globals opted out) with Content-Length too', async () => {
    const h = harness((r) => r.register(A, '/real', () => new OriginalResponse('real body')), {
      fast_globals: false,
    });
    const url = await h.listen();
    try {
      const res = await send(url, 'GET', '/real');
      expect(res.body).to.equal('real body');
      expect(res.headers['content-length']).to.equal('9');
      const head = await send(url, 'HEAD', '/real');
      expect(head.headers['content-length']).to.equal('9');
    } finally {
      await h.close();
    }
  });
});

function entries(headers: Headers): string[] {
  const out: string[] = [];
  headers.forEach((value, name) => out.push(`${name}: ${value}`));
  return out;
}

function errorClass(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (err) {
    return (err as Error).constructor.name;
  }
}
