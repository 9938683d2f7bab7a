/**
 * `modhost check -c F` on every broken config fixture: exit 1, every line located as
 * `file:line:col: path: message`, a closing count, and never a stack trace. The exact positions
 * per fixture are asserted in test/config/corpus.test.ts; this proves the command reports them.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, sourceFixture } from '../helpers/paths.js';

const bin = path.join(repoRoot, 'dist/src/cli/main.js');
const execFileP = promisify(execFile);

async function check(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [bin, 'check', '-c', file], {
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dirs = [sourceFixture('config'), sourceFixture('config/module-configs')];
const fixtures = dirs.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f)),
);

describe('modhost check on every broken fixture', function () {
  this.timeout(120_000);

  it('has a corpus of at least 20 broken files', () => {
    expect(fixtures.length).to.be.at.least(20);
  });

  it('exits 1 with located messages for each, and no stack trace', async () => {
    const results: Array<[string, Awaited<ReturnType<typeof check>>]> = [];
    // A few at a time: each is a process of its own.
    for (let i = 0; i < fixtures.length; i += 4) {
      const batch = fixtures.slice(i, i + 4);
      results.push(
        ...(await Promise.all(
          batch.map(
            async (f) => [f, await check(f)] as [string, Awaited<ReturnType<typeof check>>],
          ),
        )),
      );
    }
    for (const [file, r] of results) {
      const name = path.basename(file);
      expect(r.code, `${name}: exit code`).to.equal(1);
      const lines = r.stderr.trim().split('\n');
      const summary = lines.pop()!;
      expect(summary, name).to.match(/^\d+ problems? found; nothing was started\.$/);
      expect(lines.length, name).to.be.at.least(1);
      for (const line of lines) {
        expect(line.startsWith(`${file}:`), `${name}: ${line}`).to.equal(true);
        expect(line.slice(file.length), `${name}: ${line}`).to.match(/^:\d+:\d+: \S.*: \S/);
      }
      expect(r.stderr, name).to.not.match(/\n\s+at .*:\d+:\d+\)?\n/);
    }
  });

  it('exits 0 for the sample config', async () => {
    const r = await check(path.join(repoRoot, 'samples/modhost.yaml'));
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout)
      .to.contain('my_super_module')
      .and.contain('/_synapse/client/my_super_module/say_hello');
  });
});
