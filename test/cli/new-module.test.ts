/**
 * `modhost new-module` writes a package whose own `npm install && npm test` pass, on a fresh
 * directory, against this worktree's modhost installed from `npm pack` (so what is tested is
 * what would be published). Installs prefer npm's cache, so it runs offline once warmed.
 */
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { starterNames } from '../../src/cli/new-module.js';
import { repoRoot } from '../helpers/paths.js';

const bin = path.join(repoRoot, 'dist/src/cli/main.js');
const STEP_TIMEOUT = 240_000;
const npmEnv = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_prefer_offline: 'true',
};

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: STEP_TIMEOUT, env: npmEnv });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`,
    );
  return r;
}

describe('modhost new-module', function () {
  this.timeout(4 * STEP_TIMEOUT);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'modhost-starter-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('names: class and module names from the package name; invalid names refused', () => {
    expect(starterNames('@acme/room-guard', '1.2.3')).to.include({
      moduleName: 'room-guard',
      className: 'RoomGuard',
    });
    expect(starterNames('2fa.check', '1.0.0').className).to.equal('Module2faCheck');
    for (const bad of ['Room', 'has space', '', '-x'])
      expect(() => starterNames(bad, '1.0.0')).to.throw(/not a valid npm package name/);
  });

  it('refuses a directory that is not empty', () => {
    const dir = path.join(tmp, 'busy');
    sh(process.execPath, [bin, 'new-module', 'busy', '--dir', dir], tmp);
    const again = spawnSync(process.execPath, [bin, 'new-module', 'busy', '--dir', dir], {
      encoding: 'utf8',
    });
    expect(again.status).to.equal(2);
    expect(again.stderr).to.contain('is not empty');
  });

  it('writes a package whose npm install && npm test pass out of the box', () => {
    const dir = path.join(tmp, 'room-guard');
    sh(process.execPath, [bin, 'new-module', 'room-guard', '--dir', dir], tmp);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.type).to.equal('module');
    expect(pkg.peerDependencies.modhost).to.match(/^\^\d/);
    expect(pkg.exports['.']).to.have.keys('types', 'default');
    const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions).to.include({
      emitDecoratorMetadata: true,
      experimentalDecorators: true,
    });

    // Install this worktree's modhost as it would be published.
    const packs = path.join(tmp, 'pack');
    sh('npm', ['pack', '--silent', '--pack-destination', (mkdirSync(packs), packs)], repoRoot);
    const tarball = path.join(
      packs,
      readdirSync(packs).find((f) => f.endsWith('.tgz'))!,
    );
    pkg.devDependencies.modhost = `file:${tarball}`;
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));

    sh('npm', ['install'], dir);
    const test = sh('npm', ['test'], dir);
    expect(test.stdout).to.match(/4 passing/);
    expect(test.stdout).to.not.match(/failing/);
  });
});
