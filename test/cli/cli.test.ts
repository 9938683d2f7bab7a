import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, sourceFixture } from '../helpers/paths.js';

const bin = path.join(repoRoot, 'dist/src/cli/main.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('modhost command', () => {
  it('prints help and version', () => {
    const help = run('--help');
    expect(help.status).to.equal(0);
    expect(help.stdout).to.contain('Usage: modhost <command>');
    const version = run('--version');
    expect(version.status).to.equal(0);
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on bad usage', () => {
    for (const args of [[], ['frobnicate'], ['check', '--bogus'], ['check', '-c']]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stderr).to.contain('modhost: ').and.contain('Usage:');
    }
  });

  it('check prints each module with what it registered, exit 0', () => {
    const r = run('check', '-c', sourceFixture('host/good.yaml'));
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('instance checker');
    expect(r.stdout)
      .to.contain('[0] greeter')
      .and.contain('resource  /_synapse/client/greeter/hello [GET]');
    expect(r.stdout).to.contain('[1] raw').and.contain('(registers nothing)');
  });

  it('check exits 1 with located messages and no stack trace', () => {
    const r = run('check', '-c', sourceFixture('host/loading-errors.yaml'));
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(
      /loading-errors\.yaml:3:13: modules\[0\]\.module: module file not found/,
    );
    expect(r.stderr).to.contain('6 problems found; nothing was started.');
    expect(r.stderr).to.not.match(/\n\s+at /);
  });

  it('check exits 1 when the config file is missing', () => {
    const r = run('check', '-c', '/nonexistent/modhost.yaml');
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('/nonexistent/modhost.yaml');
  });

  it('inspect --json prints the description as data', () => {
    const r = run('inspect', '--json', '-c', sourceFixture('host/good.yaml'));
    expect(r.status).to.equal(0);
    const data = JSON.parse(r.stdout) as {
      modules: { name: string }[];
      instance: { name: string };
    };
    expect(data.instance.name).to.equal('checker');
    expect(data.modules.map((m) => m.name)).to.deep.equal(['greeter', 'raw']);
  });

  it('inspect --json on a bad config prints the problems as JSON on stdout, exit 1', () => {
    const file = sourceFixture('host/host-and-module-errors.yaml');
    const r = run('inspect', '--json', '-c', file);
    expect(r.status).to.equal(1);
    const data = JSON.parse(r.stdout) as {
      ok: boolean;
      code: string;
      problems: { file: string; line: number; column: number; path: string; message: string }[];
    };
    expect(data.ok).to.equal(false);
    expect(data.code).to.equal('MODHOST_CONFIG_INVALID');
    expect(data.problems.map((p) => p.path)).to.deep.equal([
      'server.port',
      'modules[0].config.greeting',
      'modules[1].module',
      'modules[2].on_error',
    ]);
    expect(data.problems[0]).to.include({ file, line: 3, column: 9 });
    expect(r.stderr).to.contain('4 problems found; nothing was started.');
  });

  it('check reports a host-level problem and every module problem in one run', () => {
    const r = run('check', '-c', sourceFixture('host/host-and-module-errors.yaml'));
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('server.port').and.contain('modules[0].config.greeting');
    expect(r.stderr).to.contain('4 problems found; nothing was started.');
  });

  it('serve answers requests and stops gracefully on SIGTERM with exit 0', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '-c', sourceFixture('host/good.yaml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${out}`)));
      });
      const res = await fetch(`${url}/_synapse/client/greeter/hello`);
      expect(await res.json()).to.deep.equal({ text: 'Hi' });
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
