/**
 * A module shipped as its own npm package with its own copy of modhost (bundled, as a `file:`
 * dependency, `npm link` or a monorepo leave it): the host recognises that copy's ModuleApi and
 * builds the module; an incompatible copy fails naming both installations and the fix.
 *
 * Real packages, offline: modhost is packed with `npm pack` from this (built) worktree, the
 * module package is packed with that tarball bundled inside, and both are unpacked into a temp
 * host directory laid out as `npm install` lays it out (modhost's own dependencies are linked
 * from this worktree's node_modules, so nothing is fetched).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);

const MODULE_SOURCE = `import { cachedFunction, ConfigError, ModuleApi } from 'modhost';
import { Callback, Module, WebResource } from 'modhost/decorators';

// What tsc emits for a class whose constructor takes (api: ModuleApi), written out by hand.
export class Hello {
  static parseConfig(raw) {
    if (raw.fail) throw new ConfigError('fail is not a setting of this module', ['fail']);
    return raw;
  }
  constructor(api) {
    this.api = api;
    // Made by the module's own copy, registered with the host's.
    this.lookup = cachedFunction(async (id) => id, { name: 'lookup' });
    api.registerCachedFunction(this.lookup);
  }
  status() {
    return Response.json({ module: this.api.moduleName });
  }
  check() {
    return 'NOT_SPAM';
  }
}
const method = (name) => Object.getOwnPropertyDescriptor(Hello.prototype, name);
Reflect.decorate([WebResource('/_synapse/client/hello-pkg/status')], Hello.prototype, 'status', method('status'));
Reflect.decorate([Callback('spam_checker', 'check_event_for_spam')], Hello.prototype, 'check', method('check'));
Reflect.decorate([Module({ name: 'hello-pkg' }), Reflect.metadata('design:paramtypes', [ModuleApi])], Hello);
export default Hello;
`;

async function npmPack(dir: string, destination: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--pack-destination', destination, '--silent'], {
    cwd: dir,
    timeout: 60_000,
  });
  return path.join(destination, stdout.trim().split('\n').pop()!);
}

async function untar(tarball: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', into, '--strip-components=1'], { timeout: 30_000 });
}

async function modhostCli(
  hostDir: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.join(hostDir, 'node_modules/modhost/dist/src/cli/main.js');
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: hostDir,
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a module package with its own copy of modhost', function () {
  this.timeout(120_000);
  let tmp: string;
  let hostDir: string;
  let moduleCopy: string;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'modhost-package-'));
    const modhostTarball = await npmPack(repoRoot, tmp);

    // The module package: modhost as a dependency of its own, bundled into its tarball.
    const src = path.join(tmp, 'module-src');
    mkdirSync(src);
    writeFileSync(
      path.join(src, 'package.json'),
      JSON.stringify({
        name: 'modhost-hello-module',
        version: '1.0.0',
        type: 'module',
        exports: { '.': './index.js' },
        dependencies: { modhost: `file:${modhostTarball}` },
        bundleDependencies: ['modhost'],
      }),
    );
    writeFileSync(path.join(src, 'index.js'), MODULE_SOURCE);
    await untar(modhostTarball, path.join(src, 'node_modules/modhost'));
    const moduleTarball = await npmPack(src, tmp);

    // The host: its own modhost, the module package (with its copy inside), shared dependencies.
    hostDir = path.join(tmp, 'host');
    await untar(modhostTarball, path.join(hostDir, 'node_modules/modhost'));
    await untar(moduleTarball, path.join(hostDir, 'node_modules/modhost-hello-module'));
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies)) {
      const link = path.join(hostDir, 'node_modules', dep);
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.join(repoRoot, 'node_modules', dep), link, 'dir');
    }
    writeFileSync(
      path.join(hostDir, 'modhost.yaml'),
      'server:\n  port: 0\nmodules:\n  - module: modhost-hello-module\n',
    );
    moduleCopy = path.join(hostDir, 'node_modules/modhost-hello-module/node_modules/modhost');
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the module really has a second installation of modhost', () => {
    expect(realpathSync(moduleCopy)).to.not.equal(
      realpathSync(path.join(hostDir, 'node_modules/modhost')),
    );
  });

  it('loads and wires the module: its ModuleApi is the host’s', async () => {
    const r = await modhostCli(hostDir, 'inspect', '-c', 'modhost.yaml', '--json');
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    const description = JSON.parse(r.stdout) as { modules: { name: string }[] };
    expect(JSON.stringify(description.modules))
      .to.contain('hello-pkg')
      .and.contain('/_synapse/client/hello-pkg/status')
      .and.contain('lookup'); // the cached function made by the module's copy
  });

  it('errors raised with the module’s copy are recognised: a ConfigError is located', async () => {
    writeFileSync(
      path.join(hostDir, 'failing.yaml'),
      'modules:\n  - module: modhost-hello-module\n    config:\n      fail: true\n',
    );
    const r = await modhostCli(hostDir, 'check', '-c', 'failing.yaml');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(
      /failing\.yaml:4:\d+: modules\[0\]\.config\.fail: .*fail is not a setting of this module/,
    );
  });

  it('an incompatible copy fails naming both installations and the fix', async () => {
    const manifestFile = path.join(moduleCopy, 'package.json');
    const original = readFileSync(manifestFile, 'utf8');
    try {
      writeFileSync(manifestFile, original.replace(/"version": "[^"]+"/, '"version": "7.0.0"'));
      const r = await modhostCli(hostDir, 'check', '-c', 'modhost.yaml');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/modhost\.yaml:4:13: modules\[0\]\.module: module "hello-pkg"/);
      expect(r.stderr)
        .to.contain(`${moduleCopy} (version 7.0.0)`)
        .and.contain(`${path.join(hostDir, 'node_modules/modhost')} (version`)
        .and.contain('peerDependency');
    } finally {
      writeFileSync(manifestFile, original);
    }
  });
});
