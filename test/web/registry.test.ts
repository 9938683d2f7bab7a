import { expect } from 'chai';
import { ErrorCode } from '../../src/errors/index.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { WebRegistry } from '../../src/web/registry.js';
import { A, B, DEFAULT_RESERVED, thrown } from './helpers.js';

const ok = () => new Response('ok');

function registry() {
  const { logger, records } = createCapturingLogger();
  return { registry: new WebRegistry({ reservedPrefixes: DEFAULT_RESERVED, logger }), records };
}

describe('web/WebRegistry', () => {
  it('matches exact paths only exactly; "/foo" and "/foo/" differ', () => {
    const { registry: r } = registry();
    r.register(A, '/foo', ok);
    expect(r.match('/foo')?.resource.path).to.equal('/foo');
    expect(r.match('/foo/')).to.equal(undefined);
    expect(r.match('/foo/bar')).to.equal(undefined);
    expect(r.match('/foobar')).to.equal(undefined);
  });

  it('matches prefix resources longest prefix first, on segment boundaries, with the sub-path', () => {
    const { registry: r } = registry();
    r.register(A, '/p', ok, { prefix: true });
    r.register(B, '/p/deeper', ok, { prefix: true });
    expect(r.match('/p')).to.deep.include({ subpath: '' });
    expect(r.match('/p/')?.subpath).to.equal('/');
    expect(r.match('/p/x/y')?.subpath).to.equal('/x/y');
    expect(r.match('/p/x/y')?.resource.owner.name).to.equal('a');
    expect(r.match('/p/deeper/z')?.resource.owner.name).to.equal('b');
    expect(r.match('/p/deeper/z')?.subpath).to.equal('/z');
    expect(r.match('/p/deeperx')?.resource.owner.name).to.equal('a');
    expect(r.match('/px')).to.equal(undefined);
  });

  it('prefers an exact resource over a prefix covering the same path', () => {
    const { registry: r } = registry();
    r.register(A, '/p', ok, { prefix: true });
    r.register(B, '/p/exact', ok);
    expect(r.match('/p/exact')?.resource.owner.name).to.equal('b');
    expect(r.match('/p/exact/more')?.resource.owner.name).to.equal('a');
  });

  it('keeps the first registration of a path and logs the later one with both module names', () => {
    const { registry: r, records } = registry();
    r.register(A, '/dup', ok);
    r.register(B, '/dup', ok, { prefix: true });
    expect(r.match('/dup')?.resource.owner.name).to.equal('a');
    const warning = records.find((x) => x.levelName === 'warn');
    expect(warning?.msg).to.include('"a"').and.include('"b"').and.include('/dup');
    expect(r.registrations('b')).to.deep.equal([]);
  });

  it('refuses registration after close() with WEB_REGISTRATION_CLOSED', () => {
    const { registry: r } = registry();
    r.close();
    const err = thrown(() => r.register(A, '/late', ok));
    expect(err.code).to.equal(ErrorCode.WEB_REGISTRATION_CLOSED);
    expect(err.message).to.include('"a"').and.include('/late');
  });

  it('refuses reserved prefixes (and the host endpoints) naming module, path and prefix', () => {
    const { registry: r } = registry();
    for (const path of ['/_matrix/client', '/_matrix/client/v3/x', '/_synapse/admin/', '/health']) {
      const err = thrown(() => r.register(A, path, ok));
      expect(err.code).to.equal(ErrorCode.WEB_PATH_RESERVED);
      expect(err.message).to.include('"a"').and.include(path);
    }
    // Segment boundaries: these are not under a reserved prefix.
    r.register(A, '/_matrix/clientele', ok);
    r.register(A, '/healthz', ok);
    r.register(A, '/_synapse/client/a/status', ok);
  });

  it('uses the configured reserved prefixes', () => {
    const { logger } = createCapturingLogger();
    const r = new WebRegistry({ reservedPrefixes: ['/internal/'], logger });
    expect(thrown(() => r.register(A, '/internal/x', ok)).code).to.equal(
      ErrorCode.WEB_PATH_RESERVED,
    );
    r.register(A, '/_matrix/client/x', ok);
  });

  it('does not let a prefix resource serve paths under a reserved prefix', () => {
    const { registry: r } = registry();
    r.register(A, '/', ok, { prefix: true });
    expect(r.match('/anything')?.subpath).to.equal('/anything');
    expect(r.match('/_matrix/client/v3/login')).to.equal(undefined);
    expect(r.match('/health')).to.equal(undefined);
  });

  it('rejects invalid paths with a message naming the module and the problem', () => {
    const { registry: r } = registry();
    const cases: Array<[unknown, string]> = [
      ['relative', 'start with "/"'],
      ['/a/../b', 'normalised'],
      ['/a//b', 'normalised'],
      ['/a/./b', 'normalised'],
      ['/a%2Fb', '%'],
      ['/a?x=1', '?'],
      ['/a b', 'whitespace'],
      [42, 'not a string'],
    ];
    for (const [path, hint] of cases) {
      const err = thrown(() => r.register(A, path as string, ok));
      expect(err.code).to.equal(ErrorCode.WEB_PATH_INVALID);
      expect(err.message).to.include('"a"').and.include(hint);
    }
  });

  it('accepts handler objects with one function per method and derives the allowed methods', () => {
    const { registry: r } = registry();
    r.register(A, '/obj', { GET: ok, POST: ok });
    const resource = r.match('/obj')!.resource;
    expect(resource.allow).to.equal('GET, HEAD, POST');
    expect(resource.handlerFor('HEAD')?.fn).to.equal(ok);
    expect(resource.handlerFor('PUT')).to.equal(undefined);
    expect(r.registrations('a')).to.deep.equal([
      { path: '/obj', methods: ['GET', 'POST'], prefix: false },
    ]);
  });

  it('restricts a function handler to options.methods, HEAD implied by GET', () => {
    const { registry: r } = registry();
    r.register(A, '/m', ok, { methods: ['GET'] });
    const resource = r.match('/m')!.resource;
    expect(resource.allow).to.equal('GET, HEAD');
    expect(resource.handlerFor('POST')).to.equal(undefined);
    r.register(A, '/any', ok);
    expect(r.match('/any')!.resource.handlerFor('PATCH')?.fn).to.equal(ok);
  });

  it('rejects invalid handlers and methods with WEB_HANDLER_INVALID', () => {
    const { registry: r } = registry();
    const cases: Array<[unknown, object, string]> = [
      [null, {}, 'null'],
      [{}, {}, 'no methods'],
      [{ get: ok }, {}, '"get"'],
      [{ GET: 'nope' }, {}, 'not a function'],
      [{ GET: ok }, { methods: ['GET', 'POST'] }, 'POST'],
      [ok, { methods: ['get'] }, 'upper-case'],
      [ok, { methods: [] }, 'non-empty'],
    ];
    for (const [handler, options, hint] of cases) {
      const err = thrown(() => r.register(A, '/h', handler as never, options));
      expect(err.code).to.equal(ErrorCode.WEB_HANDLER_INVALID);
      expect(err.message).to.include('"a"').and.include(hint);
    }
  });

  it('lists each module’s registrations', () => {
    const { registry: r } = registry();
    r.register(A, '/one', ok);
    r.register(A, '/two', ok, { prefix: true, methods: ['POST'] });
    r.register(B, '/three', ok);
    expect(r.registrations('a')).to.deep.equal([
      { path: '/one', prefix: false },
      { path: '/two', methods: ['POST'], prefix: true },
    ]);
  });
});
