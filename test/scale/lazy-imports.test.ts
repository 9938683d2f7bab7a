/**
 * Import only what a configuration uses: a fresh process imports modhost (and wires a host, or
 * runs `modhost check`) and reports which heavy packages got loaded. Counted, not timed.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths.js';

const HEAVY = ['redis', '@redis/client', 'class-validator', 'class-transformer'];
/**
 * What neither importing modhost nor `modhost check` needs: pino (until a record passes the
 * level), prom-client's index (and through it @opentelemetry/api and the Pushgateway), and undici
 * (loaded by the first read of the global Request, Response, Headers or fetch).
 */
const NOT_AT_START_UP = [
  'pino',
  '@opentelemetry/api',
  'prom-client/index.js',
  'undici',
  // pino's own dependencies, in case one is loaded without it
  'sonic-boom',
  'thread-stream',
];

/** The packages (and marker files) loaded so far, read in the process being probed. */
const REPORT = `
  import { createRequire } from 'node:module';
  const reportLoaded = () => {
    const loaded = new Set();
    for (const file of Object.keys(createRequire(import.meta.url).cache)) {
      const m = file.match(/node_modules\\/((@[^/]+\\/)?[^/]+)/);
      if (m) loaded.add(m[1]);
      if (file.endsWith('/node_modules/prom-client/index.js')) loaded.add('prom-client/index.js');
    }
    if (process.moduleLoadList.some((m) => m.includes('internal/deps/undici/undici')))
      loaded.add('undici');
    return [...loaded];
  };`;

/** The heavy packages loaded in a fresh process after running `script` (an ESM body). */
function loadedAfter(script: string, watched: readonly string[] = HEAVY): string[] {
  const probe = `${REPORT}
    ${script}
    process.stdout.write(JSON.stringify(reportLoaded()));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return (JSON.parse(out) as string[]).filter((p) => watched.includes(p)).sort();
}

const index = JSON.stringify(path.join(repoRoot, 'dist/src/index.js'));
const decorators = JSON.stringify(path.join(repoRoot, 'dist/decorators/index.js'));
const logger = JSON.stringify(path.join(repoRoot, 'dist/src/logging/logger.js'));

describe('start-up: only what the configuration uses is imported', function () {
  this.timeout(30_000);

  it('importing modhost loads neither redis nor class-validator', function () {
    expect(loadedAfter(`await import(${index});`)).to.deep.equal([]);
  });

  it('importing modhost and its decorators loads no pino, prom-client index or undici', function () {
    const script = `await import(${index}); await import(${decorators});`;
    expect(loadedAfter(script, NOT_AT_START_UP)).to.deep.equal([]);
  });

  it('the lazy parts load when used: a record that passes the level, a response', function () {
    const script = `
      const { createDeferredLogger } = await import(${logger});
      const quiet = createDeferredLogger({ level: 'warn', destination: { write() {} } });
      quiet.child({ module: 'm' }).info('below the level');
      const before = reportLoaded();
      quiet.child({ module: 'm' }).warn('passes');
      const { jsonResponse } = await import(${index});
      jsonResponse({ ok: true });
      const after = reportLoaded();
      if (before.includes('pino') || before.includes('undici')) throw new Error('too early');`;
    expect(loadedAfter(script, NOT_AT_START_UP)).to.include.members(['pino', 'undici']);
  });

  it('modhost check of a one-module file loads no pino, prom-client index or undici', function () {
    // A module without web resources: a handler declared \`: Response\` makes tsc emit a read of
    // the global Response (design:returntype), which loads undici in the module itself.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'modhost-lazy-'));
    try {
      const decoratorsUrl = pathToFileURL(path.join(repoRoot, 'dist/decorators/index.js')).href;
      writeFileSync(
        path.join(dir, 'plain.js'),
        `import { Module, Callback } from '${decoratorsUrl}';
        export class Plain { check() { return 'NOT_SPAM'; } }
        Callback('spam_checker', 'check_event_for_spam')(Plain.prototype, 'check', Object.getOwnPropertyDescriptor(Plain.prototype, 'check'));
        Module({ name: 'plain' })(Plain);
        Reflect.defineMetadata('design:paramtypes', [], Plain);\n`,
      );
      writeFileSync(path.join(dir, 'modhost.yaml'), 'modules:\n  - module: ./plain.js#Plain\n');
      const probe = path.join(dir, 'probe.mjs');
      writeFileSync(
        probe,
        `${REPORT}
        process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(reportLoaded())));`,
      );
      const bin = path.join(repoRoot, 'dist/src/cli/bin.js');
      const run = spawnSync(
        process.execPath,
        ['--import', pathToFileURL(probe).href, bin, 'check', '-c', path.join(dir, 'modhost.yaml')],
        { cwd: dir, encoding: 'utf8', timeout: 20_000 },
      );
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.include('spam_checker.check_event_for_spam');
      const line = run.stderr.split('\n').find((l) => l.startsWith('LOADED '))!;
      const loaded = JSON.parse(line.slice('LOADED '.length)) as string[];
      expect(loaded.filter((p) => NOT_AT_START_UP.includes(p))).to.deep.equal([]);
      // tsyringe and yaml are what check needs, and are loaded (the probe sees real work).
      expect(loaded).to.include.members(['tsyringe', 'yaml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a host without cluster: whose modules have no config class loads neither', function () {
    const script = `
      const { ModuleHost } = await import(${index});
      const { Module } = await import(${decorators});
      class Plain {}
      Module({ name: 'plain' })(Plain);
      Reflect.defineMetadata('design:paramtypes', [], Plain);
      const host = await ModuleHost.create({ modules: [{ module: Plain }], log_level: 'fatal' });
      await host.start();
      await host.stop();`;
    expect(loadedAfter(script)).to.deep.equal([]);
  });

  it('cluster: loads redis; a config class loads class-validator', function () {
    const script = `
      const { ModuleHost } = await import(${index});
      const { Module } = await import(${decorators});
      const { IsString } = await import('class-validator');
      class Config { greeting = 'hi'; }
      IsString()(Config.prototype, 'greeting');
      class WithConfig {}
      Module({ name: 'with_config', config: Config })(WithConfig);
      Reflect.defineMetadata('design:paramtypes', [Config], WithConfig);
      const host = await ModuleHost.create({
        modules: [{ module: WithConfig, config: { greeting: 'hello' } }],
        cluster: { redis_url: 'redis://127.0.0.1:1' },
        instance: { run_background_tasks: true },
        server: { listen: false },
        log_level: 'fatal',
      });
      await host.wire();
      await host.stop();`;
    expect(loadedAfter(script)).to.include.members(['@redis/client', 'class-validator']);
  });
});
