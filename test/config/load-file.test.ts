import { expect } from 'chai';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readConfigFile } from '../../src/config/load-file.js';
import { ErrorCode } from '../../src/errors/index.js';

describe('readConfigFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modhost-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a validated config with the absolute file path, and a locator', async () => {
    const file = join(dir, 'good.yaml');
    await writeFile(file, 'server:\n  port: 0\nmodules:\n  - module: ./a.js#A\n');
    const rel = relative(process.cwd(), file);
    const { config, problems, locate, code } = await readConfigFile(rel);
    expect(problems).to.deep.equal([]);
    expect(code).to.equal(undefined);
    expect(config!.file).to.equal(file);
    expect(config!.server.port).to.equal(0);
    expect(locate(['modules', 0, 'module'])).to.deep.equal({ line: 4, column: 13 });
  });

  it('reports a missing file as one problem naming it, with the unreadable code', async () => {
    const file = join(dir, 'missing.yaml');
    const result = await readConfigFile(file);
    expect(result.config).to.equal(undefined);
    expect(result.code).to.equal(ErrorCode.CONFIG_FILE_UNREADABLE);
    expect(result.problems).to.deep.equal([
      {
        file,
        path: '(root)',
        message: 'cannot read the configuration file: no such file',
      },
    ]);
    expect(result.locate(['server'])).to.equal(undefined);
  });

  it('reports a directory given as the file', async () => {
    const sub = join(dir, 'sub.yaml');
    await mkdir(sub);
    const result = await readConfigFile(sub);
    expect(result.problems[0]!.message).to.contain('it is a directory');
  });

  it('reports YAML problems without validating the sections, with the invalid code', async () => {
    const file = join(dir, 'dup.yaml');
    await writeFile(file, 'server:\n  port: 1\n  port: x\n  bogus: 1\n');
    const { problems, code } = await readConfigFile(file);
    expect(code).to.equal(ErrorCode.CONFIG_INVALID);
    expect(problems.map((p) => p.path)).to.deep.equal(['server.port']);
  });
});
