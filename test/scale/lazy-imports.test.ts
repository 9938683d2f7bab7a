/**
 * Import only what a configuration uses: a fresh process imports modhost (and wires a host)
 * and reports which heavy packages got loaded. Counted, not timed.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const HEAVY = ['redis', '@redis/client', 'class-validator', 'class-transformer'];

/** The heavy packages loaded in a fresh process after running `script` (an ESM body). */
function loadedAfter(script: string): string[] {
  const probe = `
    import { createRequire } from 'node:module';
    ${script}
    const loaded = new Set();
    for (const file of Object.keys(createRequire(import.meta.url).cache)) {
      const m = file.match(/node_modules\\/((@[^/]+\\/)?[^/]+)/);
      if (m) loaded.add(m[1]);
    }
    process.stdout.write(JSON.stringify([...loaded]));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return (JSON.parse(out) as string[]).filter((p) => HEAVY.includes(p)).sort();
}

const index = JSON.stringify(path.join(repoRoot, 'dist/src/index.js'));
const decorators = JSON.stringify(path.join(repoRoot, 'dist/decorators/index.js'));

describe('start-up: only what the configuration uses is imported', function () {
  this.timeout(30_000);

  it('importing modhost loads neither redis nor class-validator', function () {
    expect(loadedAfter(`await import(${index});`)).to.deep.equal([]);
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
