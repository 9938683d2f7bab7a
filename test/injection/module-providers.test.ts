/** `@Module({ providers, exports })` and the testing kit's `overrides`. */
import { expect } from 'chai';
import { Lifecycle } from 'tsyringe';
import { Inject, Injectable, Module } from '../../decorators/index.js';
import { HttpClient } from '../../src/api/http-client.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { CLOCK, MODULE_CONFIG } from '../../src/injection/tokens.js';
import { createTestHost } from '../../src/testing/index.js';
import { rejectionOf } from '../helpers/rejection.js';

const URL_TOKEN = Symbol('url');
const events: string[] = [];

@Injectable()
class Store {
  readonly items: string[] = [];
  constructor(readonly api: ModuleApi) {}
  onStop() {
    events.push(`store.onStop ${this.api.moduleName}`);
  }
}
@Injectable()
class Repo {
  constructor(
    readonly store: Store,
    @Inject(URL_TOKEN) readonly url: string,
  ) {}
  async dispose() {
    await Promise.resolve();
    events.push('repo.dispose');
  }
}

describe('module providers', () => {
  beforeEach(() => {
    events.length = 0;
  });

  it('builds classes, values and factories in the module container; one class instance per module', async () => {
    @Module({
      name: 'm',
      providers: [
        Store,
        Repo,
        { provide: URL_TOKEN, useValue: 'http://x' },
        {
          provide: 'label',
          useFactory: (c) => `${(c.resolve(ModuleApi) as ModuleApi).moduleName}:label`,
        },
      ],
    })
    class M {
      constructor(
        readonly store: Store,
        readonly repo: Repo,
        @Inject('label') readonly label: string,
        @Inject(MODULE_CONFIG) readonly config: { a: number },
      ) {}
      onStop() {
        events.push('module.onStop');
      }
    }
    @Module({ name: 'n', providers: [Store] })
    class N {
      constructor(readonly store: Store) {}
    }
    const host = await createTestHost({
      modules: [{ module: M, config: { a: 1 } }, { module: N }],
    });
    const m = host.module(M);
    expect(m.repo.store).to.equal(m.store);
    expect(m.repo.url).to.equal('http://x');
    expect(m.label).to.equal('m:label');
    expect(m.store.api.moduleName).to.equal('m');
    expect(host.module(N).store).to.not.equal(m.store);
    expect(host.module(N).store.api.moduleName).to.equal('n');
    await host.stop();
    // Module onStop first, then its providers newest first; modules in reverse order.
    expect(events).to.deep.equal([
      'module.onStop',
      'store.onStop n',
      'repo.dispose',
      'store.onStop m',
    ]);
  });

  it('honours another tsyringe lifetime asked for by the provider', async () => {
    class Counter {}
    @Module({
      name: 'm',
      providers: [{ provide: Counter, useClass: Counter, lifecycle: Lifecycle.Transient }],
    })
    class M {
      constructor(
        readonly a: Counter,
        readonly b: Counter,
      ) {}
    }
    const host = await createTestHost({ modules: [{ module: M }] });
    expect(host.module(M).a).to.not.equal(host.module(M).b);
    await host.stop();
  });

  it('ResolutionScoped: one instance per construction of the module, shared by its providers', async () => {
    class Ctx {}
    @Injectable()
    class UsesCtx {
      constructor(readonly ctx: Ctx) {}
    }
    @Module({
      name: 'm',
      providers: [{ provide: Ctx, useClass: Ctx, lifecycle: Lifecycle.ResolutionScoped }, UsesCtx],
    })
    class M {
      constructor(
        readonly a: Ctx,
        readonly b: Ctx,
        readonly user: UsesCtx,
      ) {}
    }
    const host = await createTestHost({ modules: [{ module: M }] });
    const m = host.module(M);
    expect(m.a).to.equal(m.b);
    expect(m.user.ctx).to.equal(m.a);
    await host.stop();
  });

  it('providers built for a module whose constructor throws are disposed', async () => {
    @Module({ name: 'm', providers: [Store] })
    class M {
      constructor(readonly store: Store) {
        throw new Error('no');
      }
    }
    const err = await rejectionOf(createTestHost({ modules: [{ module: M }] }));
    expect(err.message).to.include('failed in its constructor: no');
    expect(events).to.deep.equal(['store.onStop m']);
  });

  it('providers may depend on the host’s providers and the config class', async () => {
    class Db {}
    @Injectable()
    class Svc {
      constructor(
        readonly db: Db,
        @Inject(MODULE_CONFIG) readonly config: unknown,
      ) {}
    }
    @Module({ name: 'm', providers: [Svc] })
    class M {
      constructor(readonly svc: Svc) {}
    }
    const db = new Db();
    const host = await createTestHost({
      modules: [{ module: M, config: { x: 1 } }],
      providers: [{ provide: Db, useValue: db }],
    });
    expect(host.module(M).svc.db).to.equal(db);
    expect(host.module(M).svc.config).to.deep.equal({ x: 1 });
    await host.stop();
  });

  it('a plain class nobody provides names the fix', async () => {
    class Unlisted {
      constructor(readonly n: number) {}
    }
    @Module({ name: 'm' })
    class M {
      constructor(readonly x: Unlisted) {}
    }
    const err = await rejectionOf(createTestHost({ modules: [{ module: M }] }));
    expect(err.message).to.include('nothing provides Unlisted');
    expect(err.message).to.include('@Module({ providers: [Unlisted] })');
  });

  it('reports a cycle between providers with the chain', async () => {
    class A {
      constructor(@Inject('b') readonly b: unknown) {}
    }
    @Injectable()
    class B {
      constructor(readonly a: A) {}
    }
    @Module({ name: 'm', providers: [A, { provide: 'b', useClass: B }] })
    class M {
      constructor(readonly a: A) {}
    }
    const err = await rejectionOf(createTestHost({ modules: [{ module: M }] }));
    expect(err.code).to.equal('MODHOST_PROVIDER_CYCLE');
    expect(err.message).to.include('A -> "b" -> A');
  });

  it('rejects malformed providers and exports of what is not provided, located at the entry', async () => {
    @Module({ name: 'm', providers: [{ provide: 'x' } as never] })
    class M {}
    let err = await rejectionOf(createTestHost({ modules: [{ module: M }] }));
    expect(err.message).to.include('modules[0].module');
    expect(err.message).to.include('providers[0] has none of useValue, useClass, useFactory');
    @Module({ name: 'n', providers: [Store], exports: [Repo] })
    class N {}
    err = await rejectionOf(createTestHost({ modules: [{ module: N }] }));
    expect(err.message).to.include('exports Repo, which is not one of its providers (Store)');
  });

  it('a provider whose dispose throws is logged; the rest still run', async () => {
    class Bad {
      dispose() {
        throw new Error('boom');
      }
    }
    @Module({ name: 'm', providers: [Store, Bad] })
    class M {
      constructor(
        readonly s: Store,
        readonly b: Bad,
      ) {}
    }
    const host = await createTestHost({ modules: [{ module: M }] });
    await host.stop();
    expect(events).to.deep.equal(['store.onStop m']);
    const logged = host.logs.map((r) => String(r.msg));
    expect(logged.some((m) => m.includes('provider Bad failed in dispose(): boom'))).to.equal(true);
  });
});

describe('module exports', () => {
  @Injectable()
  class Shared {
    constructor(readonly api: ModuleApi) {}
  }
  @Module({ name: 'owner', providers: [Shared], exports: [Shared] })
  class Owner {
    constructor(readonly shared: Shared) {}
  }
  @Module({ name: 'user' })
  class User {
    constructor(readonly shared: Shared) {}
  }

  it('a later module gets the exporter’s own instance, by token', async () => {
    const host = await createTestHost({ modules: [{ module: Owner }, { module: User }] });
    expect(host.module(User).shared).to.equal(host.module(Owner).shared);
    expect(host.module(User).shared.api.moduleName).to.equal('owner');
    await host.stop();
  });

  it('an export from a module listed after is a located error naming both', async () => {
    const err = await rejectionOf(
      createTestHost({ modules: [{ module: User }, { module: Owner }] }),
    );
    expect(err.code).to.equal('MODHOST_CONFIG_INVALID');
    expect(err.message).to.include('modules[0].module');
    expect(err.message).to.include(
      'module "user" needs Shared, which module "owner" (modules[1]) exports, but "owner" is listed after it',
    );
  });

  it('two modules needing each other’s exports is reported as a cycle', async () => {
    class X {}
    class Y {}
    @Module({ name: 'a', providers: [X], exports: [X] })
    class A {
      constructor(readonly y: Y) {}
    }
    @Module({ name: 'b', providers: [Y], exports: [Y] })
    class B {
      constructor(readonly x: X) {}
    }
    const err = await rejectionOf(createTestHost({ modules: [{ module: A }, { module: B }] }));
    expect(err.message).to.include('modules "a" and "b" need each other\'s exports');
  });
});

describe('createTestHost overrides', () => {
  class Remote {
    lookup() {
      return 'real';
    }
  }
  @Module({ name: 'm', providers: [Remote] })
  class M {
    constructor(
      readonly remote: Remote,
      readonly api: ModuleApi,
      @Inject(CLOCK) readonly clock: unknown,
    ) {}
  }
  @Module({ name: 'other', providers: [Remote] })
  class Other {
    constructor(
      readonly remote: Remote,
      readonly api: ModuleApi,
    ) {}
  }

  it('replaces a provider, the HTTP client and the clock of one module only', async () => {
    const http = new HttpClient();
    const clock = new FakeClock(5_000);
    const host = await createTestHost({
      modules: [{ module: M }, { module: Other }],
      overrides: [
        { module: 'm', provide: Remote, useValue: { lookup: () => 'fake' } },
        { module: M, provide: HttpClient, useValue: http },
        { module: 'm', provide: CLOCK, useValue: clock },
      ],
    });
    const m = host.module(M);
    expect(m.remote.lookup()).to.equal('fake');
    expect(m.api.http).to.equal(http);
    expect(m.api.now()).to.equal(5_000);
    expect(m.clock).to.equal(clock);
    const other = host.module(Other);
    expect(other.remote.lookup()).to.equal('real');
    expect(other.api.http).to.not.equal(http);
    await host.stop();
  });

  it('an override naming an unknown module is an error', async () => {
    const err = await rejectionOf(
      createTestHost({
        modules: [{ module: M }],
        overrides: [{ module: 'nope', provide: 'x', useValue: 1 }],
      }),
    );
    expect(err.message).to.include('overrides name module "nope"');
  });
});
