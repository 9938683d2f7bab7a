import { expect } from 'chai';
import { Cached, Callback, Inject, Module, WebResource } from '../../decorators/index.js';
import { scanModule } from '../../src/scanning/scanner.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { loadModuleClass } from '../../src/loading/loader.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { sourceFixture, builtFixture } from '../helpers/paths.js';

function scanError(cls: Function): ModhostError {
  try {
    scanModule(cls as never);
  } catch (err) {
    expect(err).to.be.instanceOf(ModhostError);
    return err as ModhostError;
  }
  throw new Error('expected the scan to fail');
}

describe('scanner', () => {
  it('reads every decorator into a blueprint', () => {
    @Module({ name: 'everything' })
    class Everything {
      constructor(
        readonly api: ModuleApi,
        @Inject('token') readonly extra: unknown,
      ) {}
      @Callback('spam_checker', 'check_event_for_spam')
      async check(): Promise<string> {
        return 'NOT_SPAM';
      }
      @WebResource('/_synapse/client/x', { methods: ['GET'], prefix: true })
      res(): Response {
        return new Response();
      }
      @Cached({ maxEntries: 5 })
      async lookup(id: string): Promise<string> {
        return id;
      }
      onStart(): void {}
    }
    const bp = scanModule(Everything);
    expect(bp.name).to.equal('everything');
    expect(bp.callbacks).to.deep.equal([
      { category: 'spam_checker', name: 'check_event_for_spam', member: 'check' },
    ]);
    expect(bp.webResources).to.deep.equal([
      { path: '/_synapse/client/x', options: { methods: ['GET'], prefix: true }, member: 'res' },
    ]);
    expect(bp.cached).to.deep.equal([{ member: 'lookup', options: { maxEntries: 5 } }]);
    expect(bp.parameters).to.deep.equal([
      { index: 0, token: ModuleApi, explicit: false },
      { index: 1, token: 'token', explicit: true },
    ]);
    expect(bp.hasOnStart).to.equal(true);
    expect(bp.hasOnStop).to.equal(false);
  });

  it('defaults the name to the class name', () => {
    @Module()
    class Unnamed {}
    expect(scanModule(Unnamed).name).to.equal('Unnamed');
  });

  it('inherits decorated members and constructor types from a base class', () => {
    class Base {
      constructor(readonly api: ModuleApi) {}
      @WebResource('/_synapse/client/base')
      res(): Response {
        return new Response();
      }
    }
    @Module({ name: 'derived' })
    class Derived extends Base {}
    const bp = scanModule(Derived);
    expect(bp.webResources.map((w) => w.path)).to.deep.equal(['/_synapse/client/base']);
  });

  it('reports every misuse at once, naming class and member', async () => {
    const cls = await loadModuleClass('./misuse.js', builtFixture('modules'));
    const err = scanError(cls);
    expect(err.code).to.equal('MODHOST_DECORATOR_MISUSE');
    const lines = err.message.split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.equal(
      '@Callback on Misuse.notAMethod: applies to methods only (this member is a property or accessor)',
    );
    expect(lines[1]).to.contain(
      '@WebResource on Misuse.handler: path must be an absolute path starting with "/", got "relative/path"',
    );
    expect(lines[2]).to.contain(
      '@Cached on Misuse.lookup: option maxEntries must be a positive integer, got -5',
    );
  });

  it('reports options of the wrong type', () => {
    @Module({ name: 'bad-options' })
    class BadOptions {
      @WebResource('/_synapse/client/x', { methods: ['get'] })
      a(): Response {
        return new Response();
      }
      @Cached({ tree: 'yes' as unknown as boolean, colour: 'red' } as never)
      async b(x: string): Promise<string> {
        return x;
      }
    }
    const err = scanError(BadOptions);
    expect(err.message).to.contain('options.methods must be an array of upper-case HTTP methods');
    expect(err.message).to.contain(
      '@Cached on BadOptions.b: option tree must be a boolean, got "yes"',
    );
  });

  it('reports @Module options of the wrong type', () => {
    @Module({ name: 42 as unknown as string })
    class BadName {}
    expect(scanError(BadName).message).to.contain(
      '@Module on BadName: name must be a non-empty string, got a number',
    );
  });

  it('refuses static members', () => {
    @Module()
    class Statics {
      @Callback('spam_checker', 'check_event_for_spam')
      static async check(): Promise<string> {
        return 'NOT_SPAM';
      }
    }
    expect(scanError(Statics).message).to.contain(
      '@Callback on Statics.check: applies to instance methods, not static ones',
    );
  });

  it('detects a class compiled without decorator metadata and names tsc', async () => {
    const cls = await loadModuleClass('./no-metadata.js', sourceFixture('js'));
    const err = scanError(cls);
    expect(err.code).to.equal('MODHOST_NO_DECORATOR_METADATA');
    expect(err.message).to.contain('compiled-by-esbuild').and.contain('emitDecoratorMetadata');
    expect(err.message).to.contain('tsx and esbuild do not emit');
  });

  it('does not need metadata when every parameter has an explicit token', () => {
    class Plain {
      constructor(readonly x: unknown) {}
    }
    Inject('x')(Plain, undefined, 0);
    Module({ name: 'plain' })(Plain);
    Reflect.deleteMetadata('design:paramtypes', Plain);
    expect(scanModule(Plain).parameters).to.deep.equal([{ index: 0, token: 'x', explicit: true }]);
  });
});
