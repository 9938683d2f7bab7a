/**
 * #11.6: hostile configuration input, through the real CLI (`modhost check`) where the printed
 * report matters and through the same loader in process elsewhere: an oversized file
 * (even an endless device) is refused before parsing, a file that is not a mapping is never
 * echoed, NUL bytes, control characters and invalid UTF-8 are refused with their location, and
 * thousands of problems print a bounded report.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_CONFIG_FILE_BYTES } from '../../src/config/input-limits.js';
import { readConfigFile } from '../../src/config/load-file.js';
import { formatProblems, MAX_SHOWN_PROBLEMS } from '../../src/errors/index.js';
import { repoRoot } from '../helpers/paths.js';

const bin = path.join(repoRoot, 'dist/src/cli/main.js');

/** `modhost check` as a real process. */
function checkCli(file: string): { code: number | null; output: string } {
  const run = spawnSync(process.execPath, [bin, 'check', '-c', file], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The same loader in process: the report `modhost check` would print, and exit 1 or 0. */
async function check(file: string): Promise<{ code: number; output: string }> {
  const { config, problems } = await readConfigFile(file);
  return { code: config === undefined ? 1 : 0, output: formatProblems(problems).join('\n') };
}

describe('faults: hostile configuration files (modhost check)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'modhost-faults-config-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  it('refuses a 50 MB YAML sequence before parsing it, with a clear message', () => {
    const file = write('huge.yaml', `modules:\n${'  - x\n'.repeat((50 * 1024 * 1024) / 6)}`);
    const { code, output } = checkCli(file);
    expect(code).to.equal(1);
    expect(output).to.include(`larger than 1024K (${MAX_CONFIG_FILE_BYTES} bytes)`);
    expect(output.split('\n').length).to.be.below(5);
  });

  it('refuses an endless device without reading past the limit', async () => {
    const { code, output } = await check('/dev/zero');
    expect(code).to.equal(1);
    expect(output).to.include('larger than');
  });

  it('never echoes a file whose root is not a mapping', () => {
    const file = write('env.yaml', 'DATABASE_PASSWORD=hunter2-very-secret\n');
    const { code, output } = checkCli(file);
    expect(code).to.equal(1);
    expect(output).to.include('env.yaml:1:1: (root): expected a mapping');
    expect(output).to.not.include('hunter2');
    expect(output).to.not.include('DATABASE_PASSWORD');
  });

  it('refuses a NUL byte in the source with its line and column', async () => {
    const file = write('nul.yaml', Buffer.from('server:\n  bind: a\0b\n', 'latin1'));
    const { code, output } = await check(file);
    expect(code).to.equal(1);
    expect(output).to.include('nul.yaml:2:10: (root): the file contains a NUL character');
  });

  it('refuses a NUL written as an escape, at the key path', async () => {
    const file = write('escape.yaml', 'server:\n  public_baseurl: "http://a\\0b/"\n');
    const { code, output } = await check(file);
    expect(code).to.equal(1);
    expect(output).to.include('escape.yaml:2:19: server.public_baseurl: this value contains a NUL');
  });

  it('refuses other control characters and lone surrogates too', async () => {
    const file = write('ctl.yaml', 'instance:\n  name: "a\\x07b"\nlog_level: "\\uD800"\n');
    const { output } = await check(file);
    expect(output).to.include('instance.name: this value contains the control character U+0007');
    expect(output).to.include('log_level: this value contains a lone UTF-16 surrogate');
  });

  it('refuses invalid UTF-8 with the location of the first bad byte and a count', async () => {
    const bytes = Buffer.concat([
      Buffer.from('server:\n  public_baseurl: http://'),
      Buffer.from([0xe9]),
      Buffer.from('t'),
      Buffer.from([0xff]),
      Buffer.from('/\n'),
    ]);
    const { code, output } = await check(write('latin1.yaml', bytes));
    expect(code).to.equal(1);
    expect(output).to.include('latin1.yaml:2:26: (root): the file is not valid UTF-8');
    expect(output).to.include('2 invalid sequences');
  });

  it('prints a bounded number of problems plus a count', () => {
    const file = write('many.yaml', `modules:\n${'  - module: 5\n'.repeat(10_000)}`);
    const { code, output } = checkCli(file);
    expect(code).to.equal(1);
    const lines = output.trim().split('\n');
    expect(lines.length).to.equal(MAX_SHOWN_PROBLEMS + 2);
    expect(output).to.include(`... and ${10_000 - MAX_SHOWN_PROBLEMS} more problems`);
    expect(output).to.include('10000 problems found');
  });
});
