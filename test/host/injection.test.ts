import { expect } from 'chai';
import { createTestHost } from '../../src/testing/index.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { Inject, Module } from '../../decorators/index.js';
import { MODULE_CONFIG, MODULE_LOGGER } from '../../src/injection/tokens.js';
import type { ModhostError } from '../../src/errors/modhost-error.js';
import { Database, NeedsDatabase, NeedsInterface } from '../fixtures/modules/injection.js';

async function startError(options: Parameters<typeof createTestHost>[0]): Promise<ModhostError> {
  const host = await createTestHost({ ...options, start: false });
  try {
    await host.start();
  } catch (err) {
    return err as ModhostError;
  }
  throw new Error('expected start to fail');
}

describe('injection', () => {
  it('gives each module its own ModuleApi carrying its name', async () => {
    @Module({ name: 'one' })
    class One {
      constructor(readonly api: ModuleApi) {}
    }
    @Module({ name: 'two' })
    class Two {
      constructor(readonly api: ModuleApi) {}
    }
    const host = await createTestHost({ modules: [{ module: One }, { module: Two }] });
    const one = host.module(One);
    const two = host.module(Two);
    expect(one.api).to.be.instanceOf(ModuleApi);
    expect(one.api).to.not.equal(two.api);
    expect([one.api.moduleName, two.api.moduleName]).to.deep.equal(['one', 'two']);
    one.api.logger.info('hello from one');
    expect(host.logs.find((r) => r.msg === 'hello from one')).to.include({
      module: 'one',
      instance: 'main',
    });
    await host.stop();
  });

  it('injects host providers by class and by token', async () => {
    const db = new Database();
    @Module({ name: 'tokens' })
    class Tokens {
      constructor(
        @Inject('mailer') readonly mailer: { send(): string },
        @Inject(MODULE_CONFIG) readonly config: unknown,
        @Inject(MODULE_LOGGER) readonly logger: unknown,
      ) {}
    }
    const mailer = { send: () => 'sent' };
    const host = await createTestHost({
      modules: [{ module: NeedsDatabase }, { module: Tokens, config: { a: 1 } }],
      providers: [
        { provide: Database, useValue: db },
        { provide: 'mailer', useValue: mailer },
      ],
    });
    expect(host.module(NeedsDatabase).db).to.equal(db);
    const tokens = host.module(Tokens);
    expect(tokens.mailer).to.equal(mailer);
    expect(tokens.config).to.deep.equal({ a: 1 });
    expect((tokens.logger as { bindings(): object }).bindings()).to.deep.equal({
      instance: 'main',
      module: 'tokens',
    });
    await host.stop();
  });

  it('explains a parameter typed by an interface', async () => {
    const err = await startError({ modules: [{ module: NeedsInterface }] });
    expect(err.code).to.equal('MODHOST_INJECTION_FAILED');
    expect(err.message).to.contain(
      'module "needs-interface": cannot inject constructor parameter #0 of class NeedsInterface: its type erases to Object',
    );
    expect(err.message).to.contain('@Inject(TOKEN)');
  });

  it('explains a token nobody provides', async () => {
    @Module({ name: 'wants-token' })
    class WantsToken {
      constructor(@Inject('nobody-provides-this') readonly x: unknown) {}
    }
    const err = await startError({ modules: [{ module: WantsToken }] });
    expect(err.message).to.contain('cannot inject constructor parameter #0 of class WantsToken');
    expect(err.message).to.contain('providers: [{ provide:');
  });

  it('builds useClass and useFactory providers once for the whole host', async () => {
    let built = 0;
    class Pool {
      readonly id = ++built;
    }
    let made = 0;
    @Module({ name: 'a' })
    class A {
      constructor(
        readonly pool: Pool,
        @Inject('clock-ish') readonly made: number,
      ) {}
    }
    @Module({ name: 'b' })
    class B {
      constructor(
        readonly pool: Pool,
        @Inject('clock-ish') readonly made: number,
      ) {}
    }
    const host = await createTestHost({
      modules: [{ module: A }, { module: B }],
      providers: [
        { provide: Pool, useClass: Pool },
        { provide: 'clock-ish', useFactory: () => ++made },
      ],
    });
    expect(host.module(A).pool).to.equal(host.module(B).pool);
    expect(built).to.equal(1);
    expect([host.module(A).made, host.module(B).made, made]).to.deep.equal([1, 1, 1]);
    await host.stop();
  });
});
