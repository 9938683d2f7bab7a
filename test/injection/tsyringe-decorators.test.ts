/**
 * tsyringe's own parameter decorators in module constructors behave as tsyringe defines them
 * (its `resolveParams`), beside modhost's `@Inject`.
 */
import { expect } from 'chai';
import {
  delay,
  inject,
  injectable,
  injectAll,
  injectAllWithTransform,
  injectWithTransform,
} from 'tsyringe';
import { Inject, Module } from '../../decorators/index.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { createTestHost } from '../../src/testing/index.js';
import { rejectionOf } from '../helpers/rejection.js';

const GREETING = Symbol('greeting');
const PLUGIN = 'plugin';
const MISSING = Symbol('missing');

class Upper {
  transform(value: string, suffix = ''): string {
    return value.toUpperCase() + suffix;
  }
}
class Count {
  transform(values: unknown[], plus = 0): number {
    return values.length + plus;
  }
}

const providers = [
  { provide: GREETING, useValue: 'hello' },
  { provide: PLUGIN, useValue: 'a' },
  { provide: PLUGIN, useValue: 'b' },
];

describe('tsyringe parameter decorators in modules', () => {
  it('@inject(token) resolves the token (the descriptor is not mistaken for it)', async () => {
    @Module({ name: 'm' })
    class M {
      constructor(
        @inject(GREETING) readonly greeting: string,
        readonly api: ModuleApi,
      ) {}
    }
    const host = await createTestHost({ modules: [{ module: M }], providers });
    expect(host.module(M).greeting).to.equal('hello');
    expect(host.module(M).api.moduleName).to.equal('m');
    await host.stop();
  });

  it('@inject(token, { isOptional: true }) gives undefined for an unregistered token', async () => {
    @Module({ name: 'm' })
    class M {
      constructor(
        @inject(MISSING, { isOptional: true }) readonly missing: unknown,
        @inject(GREETING, { isOptional: true }) readonly present: unknown,
      ) {}
    }
    const host = await createTestHost({ modules: [{ module: M }], providers });
    expect(host.module(M).missing).to.equal(undefined);
    expect(host.module(M).present).to.equal('hello');
    await host.stop();
  });

  it('@inject(token) without isOptional fails naming the token, the module and the parameter', async () => {
    @Module({ name: 'm' })
    class M {
      constructor(@inject(MISSING) readonly missing: unknown) {}
    }
    const err = await rejectionOf(createTestHost({ modules: [{ module: M }] }));
    expect(err.message).to.include('module "m"');
    expect(err.message).to.include('parameter #0 of class M');
    expect(err.message).to.include('Symbol(missing)');
    expect(err.message).to.not.include('multiple');
  });

  it('@injectAll(token) gives every registration, in order', async () => {
    @Module({ name: 'm' })
    class M {
      constructor(@injectAll(PLUGIN) readonly plugins: string[]) {}
    }
    const host = await createTestHost({ modules: [{ module: M }], providers });
    expect(host.module(M).plugins).to.deep.equal(['a', 'b']);
    await host.stop();
  });

  it('@injectAll(token, { isOptional: true }) gives [] when nothing is registered; without it, fails', async () => {
    @Module({ name: 'm' })
    class M {
      constructor(@injectAll(MISSING, { isOptional: true }) readonly none: unknown[]) {}
    }
    const host = await createTestHost({ modules: [{ module: M }] });
    expect(host.module(M).none).to.deep.equal([]);
    await host.stop();

    @Module({ name: 'n' })
    class N {
      constructor(@injectAll(MISSING) readonly none: unknown[]) {}
    }
    const err = await rejectionOf(createTestHost({ modules: [{ module: N }] }));
    expect(err.message).to.include('parameter #0 of class N');
  });

  it('@injectWithTransform(token, Transformer, ...args) passes the value through transform()', async () => {
    @Module({ name: 'm' })
    class M {
      constructor(@injectWithTransform(GREETING, Upper, '!') readonly loud: string) {}
    }
    const host = await createTestHost({ modules: [{ module: M }], providers });
    expect(host.module(M).loud).to.equal('HELLO!');
    await host.stop();
  });

  it('@injectAllWithTransform(token, Transformer, ...args) transforms the whole array', async () => {
    @Module({ name: 'm' })
    class M {
      constructor(@injectAllWithTransform(PLUGIN, Count, 10) readonly count: number) {}
    }
    const host = await createTestHost({ modules: [{ module: M }], providers });
    expect(host.module(M).count).to.equal(12);
    await host.stop();
  });

  it('mixes with modhost @Inject and by-type parameters; @Inject wins on the same parameter', async () => {
    @Module({ name: 'm' })
    class M {
      constructor(
        readonly api: ModuleApi,
        @Inject(GREETING) readonly a: string,
        @inject(PLUGIN) readonly b: string,
      ) {}
    }
    const host = await createTestHost({ modules: [{ module: M }], providers });
    const m = host.module(M);
    expect([m.api.moduleName, m.a, m.b]).to.deep.equal(['m', 'hello', 'b']);
    await host.stop();
  });

  it('@inject(delay(() => Class)) gives tsyringe’s lazy proxy', async () => {
    @injectable()
    class Later {
      hello() {
        return 'later';
      }
    }
    @Module({ name: 'm' })
    class M {
      constructor(@inject(delay(() => Later)) readonly later: Later) {}
    }
    const host = await createTestHost({ modules: [{ module: M }] });
    expect(host.module(M).later.hello()).to.equal('later');
    await host.stop();
  });

  it('work in the constructors of a module’s own providers too', async () => {
    class Service {
      constructor(
        @inject(GREETING) readonly greeting: string,
        @injectAll(PLUGIN) readonly plugins: string[],
        @inject(MISSING, { isOptional: true }) readonly none: unknown,
      ) {}
    }
    @Module({ name: 'm', providers: [Service] })
    class M {
      constructor(readonly service: Service) {}
    }
    const host = await createTestHost({ modules: [{ module: M }], providers });
    const { service } = host.module(M);
    expect([service.greeting, service.plugins, service.none]).to.deep.equal([
      'hello',
      ['a', 'b'],
      undefined,
    ]);
    await host.stop();
  });
});
