/** Routing cost (counted, never timed) and parameter routes. */
import { expect } from 'chai';
import { Module, WebResource } from '../../decorators/index.js';
import { ErrorCode } from '../../src/errors/index.js';
import type { RouteParams, WebRequestContext } from '../../src/index.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { createTestHost } from '../../src/testing/index.js';
import { normalisePath } from '../../src/web/path.js';
import { WebRegistry } from '../../src/web/registry.js';
import { Target, WebResource as WebResourceClass } from '../../src/web/resource.js';
import { rejectionOf } from '../helpers/rejection.js';
import { A, B, DEFAULT_RESERVED, thrown } from './helpers.js';

const ok = () => new Response('ok');

function registry(): WebRegistry {
  const { logger } = createCapturingLogger();
  return new WebRegistry({ reservedPrefixes: DEFAULT_RESERVED, logger });
}

/** Lookup work for one path (as the dispatcher routes it: normalised, raw beside it). */
function stepsFor(r: WebRegistry, raw: string): number {
  const before = r.lookupSteps;
  r.match(normalisePath(raw)!, raw);
  return r.lookupSteps - before;
}

/** A registry with `n` routes of each kind under /_synapse/client/m<i>/. */
function populated(n: number): WebRegistry {
  const r = registry();
  for (let i = 0; i < n; i++) {
    r.register(A, `/_synapse/client/m${i}/status`, ok);
    r.register(A, `/_synapse/client/m${i}/files`, ok, { prefix: true });
    r.register(A, `/_synapse/client/m${i}/rooms/:room_id/state/:event_type`, ok);
  }
  return r;
}

describe('web/router: cost linear in the path length', () => {
  const manySegments = (n: number, head = '') => head + '/a'.repeat(n);

  for (const routes of [10, 10_000]) {
    it(`a 7,000-segment 404 costs work proportional to its length (${routes} routes of each kind)`, () => {
      const r = populated(routes);
      for (const path of [
        manySegments(7000),
        manySegments(7000, '/_synapse/client'),
        manySegments(7000, '/_synapse/client/m1'),
        manySegments(7000, '/_synapse/client/m1/rooms'),
      ]) {
        expect(path.length).to.be.at.least(14_000);
        // The old walk sliced and looked up every parent: ~25 million characters here.
        expect(stepsFor(r, path)).to.be.at.most(2 * path.length);
        expect(r.match(path)).to.equal(undefined);
      }
      const short = stepsFor(r, '/_synapse/client/nothing');
      expect(short).to.be.at.most(2 * '/_synapse/client/nothing'.length);
    });
  }

  it('stays linear when a registered prefix is as deep as the path (the worst case for a trie)', () => {
    const r = registry();
    const deep = manySegments(3000, '/deep');
    r.register(A, deep, ok, { prefix: true });
    for (const n of [3000, 6000]) {
      const path = manySegments(n, '/deep');
      const steps = stepsFor(r, path);
      expect(steps).to.be.at.most(2 * path.length);
      expect(r.match(path)?.subpath).to.equal(path.slice(deep.length));
    }
  });

  it('searches parameter routes only as deep as the longest pattern', () => {
    const r = registry();
    r.register(A, '/p/:a/:b/:c', ok);
    const steps = stepsFor(r, manySegments(7000, '/p'));
    expect(steps).to.be.at.most(20);
  });

  it('counts the same work for one route or ten thousand (a hit stays a hit)', () => {
    const small = populated(1);
    const large = populated(10_000);
    for (const path of [
      '/_synapse/client/m0/files/a/b/c/d/e/f/g/h/i/j',
      '/_synapse/client/m0/rooms/!r:x/state/m.room.name',
      '/_synapse/client/m0/nothing',
    ]) {
      expect(stepsFor(large, path)).to.equal(stepsFor(small, path));
      expect(large.match(path)?.resource.path).to.equal(small.match(path)?.resource.path);
    }
  });
});

describe('web/router: parameter routes', () => {
  const pattern = '/_synapse/client/rooms/:room_id/state/:event_type';

  it('gives decoded values in params; exact paths first, prefixes last', () => {
    const r = registry();
    r.register(A, pattern, ok);
    r.register(B, '/_synapse/client/rooms/!special:x/state/m.room.name', ok);
    r.register(B, '/_synapse/client/rooms', ok, { prefix: true });
    const raw = '/_synapse/client/rooms/!abc%3Aexample.org/state/m.room.power_levels';
    const hit = r.match(normalisePath(raw)!, raw)!;
    expect(hit.resource.path).to.equal(pattern);
    expect(hit.params).to.deep.equal({
      room_id: '!abc:example.org',
      event_type: 'm.room.power_levels',
    });
    expect(hit.subpath).to.equal('');
    expect(
      r.match('/_synapse/client/rooms/!special:x/state/m.room.name')?.resource.owner.name,
    ).to.equal('b');
    // Not the pattern's shape: the prefix serves it.
    expect(r.match('/_synapse/client/rooms/!r/state')?.subpath).to.equal('/!r/state');
    expect(r.match('/_synapse/client/rooms/!r/state/t/extra')?.resource.prefix).to.equal(true);
    // A parameter takes a whole, non-empty segment; a trailing slash is a different path.
    expect(r.match('/_synapse/client/rooms/!r/state/')?.resource.prefix).to.equal(true);
  });

  it('keeps an encoded slash inside its parameter value; dot segments resolve as written plainly', () => {
    const r = registry();
    r.register(A, '/_synapse/client/x/:key/value', ok);
    const route = (raw: string) => {
      const path = normalisePath(raw);
      return path === undefined ? undefined : r.match(path, raw);
    };
    expect(route('/_synapse/client/x/a%2Fb/value')?.params).to.deep.equal({ key: 'a/b' });
    expect(route('/_synapse/client/x/a%5cb/value')?.params).to.deep.equal({ key: 'a\\b' });
    expect(route('/_synapse/client/x/a%2F..%2F..%2Fvalue/value')?.params).to.deep.equal({
      key: 'a/../../value',
    });
    // An encoded dot segment is a dot segment, as the plain spelling is.
    expect(route('/_synapse/client/x/k/%2e%2e/k2/value')?.params).to.deep.equal({ key: 'k2' });
    expect(route('/_synapse/client/x/%2e/value')).to.equal(undefined);
    expect(route('/_synapse/client/x//value')).to.equal(undefined);
    // Encoded slashes never carry a request under a reserved prefix to a parameter route.
    r.register(A, '/_synapse/client/:a/users', ok);
    expect(route('/_synapse/client/..%2Fadmin%2Fv1/users')).to.equal(undefined);
    expect(route('/_synapse/client/..%2Fx/users')?.params).to.deep.equal({ a: '../x' });
  });

  it('refuses overlapping patterns at load, naming both modules', () => {
    const r = registry();
    r.register(A, '/_synapse/client/rooms/:room_id/state', ok);
    for (const other of [
      '/_synapse/client/rooms/:id/state',
      '/_synapse/client/rooms/search/:what',
      '/_synapse/client/:x/!r/state',
    ]) {
      const err = thrown(() => r.register(B, other, ok));
      expect(err.code).to.equal(ErrorCode.WEB_ROUTE_CONFLICT);
      expect(err.message)
        .to.include('"a"')
        .and.include('"b"')
        .and.include(other)
        .and.include('/_synapse/client/rooms/:room_id/state');
    }
    // Distinct by a static segment, or by the number of segments: no overlap.
    r.register(B, '/_synapse/client/rooms/:room_id/members', ok);
    r.register(B, '/_synapse/client/rooms/:room_id/state/:type', ok);
    r.register(B, '/_synapse/client/rooms/:room_id/state/', ok);
    expect(r.registrations('b').map((x) => x.path)).to.have.length(3);
  });

  it('refuses bad parameter names, repeated names, prefixes with parameters and reserved reach', () => {
    const r = registry();
    for (const [path, hint] of [
      ['/_synapse/client/x/:', 'parameter segment'],
      ['/_synapse/client/x/:1a', 'parameter segment'],
      ['/_synapse/client/x/:a-b', 'parameter segment'],
      ['/_synapse/client/x/:__proto__', 'parameter segment'],
      ['/_synapse/client/:a/:a', 'twice'],
    ] as const) {
      const err = thrown(() => r.register(A, path, ok));
      expect(err.code).to.equal(ErrorCode.WEB_PATH_INVALID);
      expect(err.message).to.include(hint);
    }
    expect(thrown(() => r.register(A, '/_synapse/client/:a', ok, { prefix: true })).code).to.equal(
      ErrorCode.WEB_PATH_INVALID,
    );
    for (const path of ['/_matrix/:api/v3', '/:x/admin/users', '/:x']) {
      const err = thrown(() => r.register(A, path, ok));
      expect(err.code, path).to.equal(ErrorCode.WEB_PATH_RESERVED);
    }
    // A colon inside a segment is plain text (Matrix IDs have them).
    r.register(A, '/_synapse/client/@u:x', ok);
    expect(r.match('/_synapse/client/@u:x')?.params).to.deep.equal({});
  });

  it('serves context.params through a host, typed from the decorator path', async () => {
    @Module({ name: 'rooms' })
    class Rooms {
      @WebResource('/_synapse/client/rooms/:room_id/state/:event_type', { methods: ['GET'] })
      state(_request: Request, context: WebRequestContext<RouteParams<typeof pattern>>) {
        const { room_id, event_type } = context.params;
        // @ts-expect-error: not a parameter of this path
        void context.params.roomId;
        return Response.json({ room_id, event_type, path: context.path });
      }
    }
    const host = await createTestHost({ modules: [{ module: Rooms, config: {} }] });
    try {
      const res = await host.fetch(
        new Request('http://x/_synapse/client/rooms/!r%3Ax/state/m.room%2Fodd'),
      );
      expect(await res.json()).to.deep.equal({
        room_id: '!r:x',
        event_type: 'm.room/odd',
        path: pattern,
      });
      const post = await host.fetch(
        new Request('http://x/_synapse/client/rooms/!r/state/t', { method: 'POST' }),
      );
      expect(post.status).to.equal(405);
    } finally {
      await host.stop();
    }
  });

  it('fails the host at load when two modules register overlapping patterns', async () => {
    @Module({ name: 'first' })
    class First {
      @WebResource('/_synapse/client/r/:id')
      get(): Response {
        return ok();
      }
    }
    @Module({ name: 'second' })
    class Second {
      @WebResource('/_synapse/client/r/:other')
      get(): Response {
        return ok();
      }
    }
    const err = await rejectionOf(
      createTestHost({
        modules: [
          { module: First, config: {} },
          { module: Second, config: {} },
        ],
      }),
    );
    expect(err.code).to.equal(ErrorCode.WEB_ROUTE_CONFLICT);
    expect(err.message).to.include('"first"').and.include('"second"');
  });
});

describe('web/router: the one-walk lookup of raw paths (registry.route)', () => {
  /** What match answers, in comparable form. */
  const view = (m: ReturnType<WebRegistry['match']>) =>
    m === undefined
      ? 'undefined'
      : { path: m.resource.path, subpath: m.subpath, params: { ...m.params } };
  // Every resource here serves GET, so a hit is a Target (a bare resource would be a 405).
  const viewRoute = (found: ReturnType<WebRegistry['route']>) =>
    found instanceof Target
      ? { path: found.resource.path, subpath: found.subpath, params: { ...found.params } }
      : String(found);

  it('answers every path as normalising then matching does', () => {
    const r = populated(20);
    r.register(A, '/', ok);
    r.register(A, '/_synapse/client/t/', ok);
    r.register(B, '/_synapse/client/x/:key/value', ok);
    r.register(B, '/_synapse/client/rooms', ok, { prefix: true });
    const pieces = ['m1', 'm19', 'status', 'files', 'rooms', '!r:x', 'state', 't', 'x', 'value'];
    const odd = ['', '.', '..', '%2F', 'a%2Fb', '%2e%2e', 'a\\b', '%zz', '.well-known', 'health'];
    let seed = 7;
    const pick = <T>(list: readonly T[]) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return list[seed % list.length]!;
    };
    const raws = [
      ...[
        '/',
        '/health',
        '//health',
        '/health/',
        '/_matrix/client/v3/login',
        '/_synapse/client/t/',
      ],
      ...['/_synapse/client/m1/status', '/_synapse/client/m1/files', '/_synapse/client/m1/files/'],
      ...['/_synapse/client/m1/files/a/b', '/_synapse/client/m1/rooms/!r:x/state/t'],
      ...[
        '/_synapse/client/x/k/value',
        '/_synapse/client/rooms/a/b',
        '/_synapse/client/x/a%2Fb/value',
      ],
    ];
    for (let i = 0; i < 3000; i++) {
      let raw = '/_synapse/client';
      const n = 1 + (i % 7);
      for (let k = 0; k < n; k++) raw += '/' + (k % 3 === 2 ? pick(odd) : pick(pieces));
      raws.push(i % 5 === 0 ? raw + '/' : raw);
    }
    let hits = 0;
    for (const raw of raws) {
      const path = normalisePath(raw);
      const expected =
        path === undefined
          ? 'Symbol(bad path)'
          : path === '/health'
            ? 'Symbol(host endpoint)'
            : view(r.match(path, raw));
      expect(viewRoute(r.route('GET', raw)), raw).to.deep.equal(expected);
      if (typeof expected === 'object') hits++;
    }
    expect(hits).to.be.at.least(300);
  });

  it('finds every non-plain rest whatever its length (loop, expression and native scans)', () => {
    // The rest after the matched text is scanned by a loop below 8 characters, one regular
    // expression below 16 and native scans from 16 (router.ts): each length, each feature, each
    // place, must answer as normalising then matching does.
    const r = populated(3);
    r.register(A, '/_synapse/client/m1/files/x/status', ok);
    const head = '/_synapse/client/m1/';
    const features = ['%73', '\\', '//', '/./', '/../', '%2e%2e/', '/.', '/..'];
    for (let length = 1; length <= 24; length++)
      for (const feature of features)
        for (let at = 0; at + feature.length <= length; at++) {
          const filler = 'abcdefghijklmnopqrstuvwx';
          const rest =
            filler.slice(0, at) + feature + filler.slice(0, length - at - feature.length);
          for (const raw of [head + rest, head + 'files/' + rest, head + 'nothing/' + rest]) {
            const path = normalisePath(raw);
            const expected = path === undefined ? 'Symbol(bad path)' : view(r.match(path, raw));
            expect(viewRoute(r.route('GET', raw)), raw).to.deep.equal(expected);
          }
        }
  });

  it('backtracks from a static child to the parameter beside it', () => {
    // "/b/s/..." goes down "s" first; "/b/s/c" only matches by taking "s" as `x`.
    const r = registry();
    r.register(A, '/b/:x/c', ok);
    r.register(A, '/b/s/:y/d', ok);
    r.register(A, '/b/s/:y/:z/e', ok);
    expect(viewRoute(r.route('GET', '/b/s/c'))).to.deep.include({ params: { x: 's' } });
    expect(viewRoute(r.route('GET', '/b/s/q/d'))).to.deep.include({ params: { y: 'q' } });
    expect(viewRoute(r.route('GET', '/b/s/q/w/e'))).to.deep.include({
      params: { y: 'q', z: 'w' },
    });
    // Inside the search: "d" matches the static child, then the parameter `z` takes it.
    expect(viewRoute(r.route('GET', '/b/s/q/d/e'))).to.deep.include({
      params: { y: 'q', z: 'd' },
    });
    expect(viewRoute(r.route('GET', '/b/t/c'))).to.deep.include({ params: { x: 't' } });
    expect(viewRoute(r.route('GET', '/b/s/q/x'))).to.equal('undefined');
    expect(viewRoute(r.route('GET', '/b//c'))).to.equal('undefined');
  });

  it('costs work proportional to the path length, at any number of routes', () => {
    for (const routes of [10, 10_000]) {
      const r = populated(routes);
      for (const path of [
        '/a'.repeat(7000),
        '/_synapse/client/m1/rooms' + '/a'.repeat(7000),
        '/_synapse/client/m1/files' + '/a'.repeat(7000),
      ]) {
        const before = r.lookupSteps;
        r.route('GET', path);
        expect(r.lookupSteps - before, `${routes} routes`).to.be.at.most(5 * path.length);
      }
    }
  });
});

describe('web/router: registry.route (the dispatcher lookup)', () => {
  const view = (found: ReturnType<WebRegistry['route']>) =>
    found instanceof Target
      ? { target: found.resource.path, subpath: found.subpath, params: { ...found.params } }
      : found instanceof WebResourceClass
        ? { notAllowed: found.path }
        : String(found);

  it('answers with the handler for the method or the resource for a 405', () => {
    const r = populated(3);
    r.register(B, '/_synapse/client/only-post', ok, { methods: ['POST'] });
    expect(view(r.route('GET', '/_synapse/client/m1/rooms/!r:x/state/t'))).to.deep.equal({
      target: '/_synapse/client/m1/rooms/:room_id/state/:event_type',
      subpath: '',
      params: { room_id: '!r:x', event_type: 't' },
    });
    expect(view(r.route('GET', '/_synapse/client/m1/files/a/b'))).to.deep.include({
      subpath: '/a/b',
    });
    expect(view(r.route('GET', '/_synapse/client/only-post'))).to.deep.equal({
      notAllowed: '/_synapse/client/only-post',
    });
    expect(view(r.route('POST', '/_synapse/client/only-post'))).to.deep.include({ subpath: '' });
    expect(view(r.route('GET', '/_synapse/client/m1/files/../status'))).to.deep.equal({
      target: '/_synapse/client/m1/status',
      subpath: '',
      params: {},
    });
    expect(view(r.route('GET', '/_synapse/client/m1/rooms/%21r/state/t'))).to.deep.include({
      params: { room_id: '!r', event_type: 't' },
    });
    expect(view(r.route('GET', '/_synapse/client/m1/rooms/../rooms/r/state/t'))).to.deep.include({
      params: { room_id: 'r', event_type: 't' },
    });
    expect(view(r.route('GET', '/_synapse/client/%zz'))).to.equal('Symbol(bad path)');
    expect(view(r.route('GET', '/_synapse/client/nothing'))).to.equal('undefined');
  });

  it('keeps reserved prefixes and /health from a module prefix above them', () => {
    const r = registry();
    r.register(A, '/', ok, { prefix: true });
    r.register(A, '/_synapse', ok, { prefix: true });
    for (const raw of ['/health', '//health', '/x/../health']) {
      expect(view(r.route('GET', raw)), raw).to.equal('Symbol(host endpoint)');
    }
    for (const raw of ['/_matrix/client/v3/login', '/_synapse/admin/v1/x', '/_synapse/admin']) {
      expect(view(r.route('GET', raw)), raw).to.equal('undefined');
      expect(r.match(raw), raw).to.equal(undefined);
    }
    expect(view(r.route('GET', '/_synapse/administrator'))).to.deep.include({
      target: '/_synapse',
      subpath: '/administrator',
    });
    expect(view(r.route('GET', '/healthy'))).to.deep.include({ target: '/', subpath: '/healthy' });
  });

  it('normalises a dot segment that ends where registered text splits inside a segment', () => {
    const r = registry();
    r.register(A, '/', ok);
    r.register(A, '/.well-known/matrix/client', ok);
    r.register(A, '/.wx', ok);
    r.register(A, '/a/..b', ok);
    // "/." and "/a/.." end exactly at a node of the trie ("." shared by ".well-known" and ".wx").
    expect(view(r.route('GET', '/.'))).to.deep.include({ target: '/' });
    expect(view(r.route('GET', '/a/..'))).to.deep.include({ target: '/' });
    expect(view(r.route('GET', '/.well-known/matrix/client'))).to.deep.include({ subpath: '' });
    expect(view(r.route('GET', '/a/..b'))).to.deep.include({ target: '/a/..b' });
  });

  it('builds params objects of one shape per route', () => {
    const r = populated(2);
    const a = r.route('GET', '/_synapse/client/m0/rooms/r1/state/t1') as Target;
    const b = r.route('GET', '/_synapse/client/m0/rooms/r2/state/t2') as Target;
    expect(Object.keys(a.params)).to.deep.equal(['room_id', 'event_type']);
    expect(Object.keys(b.params)).to.deep.equal(Object.keys(a.params));
    expect(a.params).to.not.equal(b.params);
    expect(b.params).to.deep.equal({ room_id: 'r2', event_type: 't2' });
  });
});
