import { expect } from 'chai';
import { loadModuleClass } from '../../src/loading/loader.js';
import { parseModuleSpec } from '../../src/loading/module-spec.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { builtFixture, sourceFixture } from '../helpers/paths.js';
import { Greeter } from '../fixtures/modules/basic.js';

async function loadError(spec: string, baseDir: string): Promise<ModhostError> {
  try {
    await loadModuleClass(spec, baseDir);
  } catch (err) {
    expect(err).to.be.instanceOf(ModhostError);
    return err as ModhostError;
  }
  throw new Error(`expected ${spec} to fail`);
}

describe('module specs', () => {
  it('parses files, packages and export names', () => {
    expect(parseModuleSpec('./a/b.js#Cls')).to.deep.equal({
      kind: 'file',
      path: './a/b.js',
      exportName: 'Cls',
    });
    expect(parseModuleSpec('../b.js')).to.deep.equal({
      kind: 'file',
      path: '../b.js',
      exportName: undefined,
    });
    expect(parseModuleSpec('/abs/b.js#X')).to.deep.equal({
      kind: 'file',
      path: '/abs/b.js',
      exportName: 'X',
    });
    expect(parseModuleSpec('pkg#X')).to.deep.equal({
      kind: 'package',
      name: 'pkg',
      exportName: 'X',
    });
    expect(parseModuleSpec('@scope/pkg')).to.deep.equal({
      kind: 'package',
      name: '@scope/pkg',
      exportName: undefined,
    });
  });

  it('rejects what is not a spec', () => {
    for (const bad of ['', '#X', './a.js#', 'pkg#not-an-ident', 'has space', 'C:\\x.js']) {
      expect(parseModuleSpec(bad), bad).to.equal(undefined);
    }
  });
});

describe('loader', () => {
  const modulesDir = builtFixture('modules');

  it('loads a named export relative to the base directory', async () => {
    expect(await loadModuleClass('./basic.js#Greeter', modulesDir)).to.equal(Greeter);
  });

  it('loads an absolute path', async () => {
    expect(await loadModuleClass(`${modulesDir}/basic.js#Greeter`, '/')).to.equal(Greeter);
  });

  it('takes the default export when no class is named', async () => {
    expect(await loadModuleClass('./basic.js', modulesDir)).to.equal(Greeter);
  });

  it('takes the only @Module class when there is no default export', async () => {
    const cls = await loadModuleClass('./single.js', modulesDir);
    expect(cls.name).to.equal('OnlyOne');
  });

  it('accepts a class given directly', async () => {
    expect(await loadModuleClass(Greeter, '/')).to.equal(Greeter);
  });

  it('loads a package from node_modules next to the config', async () => {
    const cls = await loadModuleClass('fake-modhost-module', sourceFixture('packages'));
    expect(cls.name).to.equal('PackagedModule');
    const named = await loadModuleClass(
      'fake-modhost-module#PackagedModule',
      sourceFixture('packages'),
    );
    expect(named).to.equal(cls);
  });

  it('names a missing file with its resolved path', async () => {
    const err = await loadError('./nope.js#X', modulesDir);
    expect(err.code).to.equal('MODHOST_MODULE_NOT_FOUND');
    expect(err.message).to.contain(`${modulesDir}/nope.js`).and.contain('"./nope.js#X"');
  });

  it('names a missing package and how to install it', async () => {
    const err = await loadError('no-such-package-xyz#X', modulesDir);
    expect(err.message)
      .to.contain('package "no-such-package-xyz" not found')
      .and.contain('npm install');
  });

  it('lists the exports when the named one is missing, with a suggestion', async () => {
    const err = await loadError('./exports.js#Frist', modulesDir);
    expect(err.code).to.equal('MODHOST_MODULE_EXPORT_MISSING');
    expect(err.message).to.contain('no export named "Frist"').and.contain('did you mean "First"');
    expect(err.message)
      .to.match(/it exports: (\w+, ){3}\w+$/)
      .and.contain('NotAModule');
  });

  it('refuses a class without @Module, saying how to fix it', async () => {
    const err = await loadError('./exports.js#NotAModule', modulesDir);
    expect(err.code).to.equal('MODHOST_MODULE_NOT_DECORATED');
    expect(err.message).to.contain('add @Module()').and.contain('NotAModule');
  });

  it('refuses an export that is not a class', async () => {
    const err = await loadError('./exports.js#notAClass', modulesDir);
    expect(err.message).to.contain('is not a class (got number)');
  });

  it('refuses to guess between several @Module classes', async () => {
    const err = await loadError('./exports.js', modulesDir);
    expect(err.code).to.equal('MODHOST_MODULE_AMBIGUOUS');
    expect(err.message).to.contain('First, Second').and.contain('#First');
  });

  it('reports a module that throws while importing', async () => {
    const err = await loadError('./throws-on-import.js', modulesDir);
    expect(err.code).to.equal('MODHOST_MODULE_IMPORT_FAILED');
    expect(err.message).to.contain('this module crashes while loading');
  });

  it('rejects a malformed spec', async () => {
    const err = await loadError('not a spec', modulesDir);
    expect(err.message).to.contain('is not a module spec');
  });
});
