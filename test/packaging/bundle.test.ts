/**
 * The shipped build (build/bundle.ts) as users run it: package.json's `bin` and `exports`, from a
 * project whose node_modules holds modhost, without the `modhost-source` condition the rest of
 * the suite runs with. One copy of modhost serves the CLI, the user's modules and their worker
 * threads; the thread entries and the package paths resolve from the bundled files; and the lazy
 * parts stay lazy (esbuild would hoist a lazily imported part's packages into an unsplit file).
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServeProcess } from '../faults/serve-process.js';
import { repoRoot } from '../helpers/paths.js';
import { SOURCE_CONDITION } from '../setup/source-condition.js';

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  bin: { modhost: string };
  exports: Record<string, { 'modhost-source'?: string; default: string }>;
};
const bin = path.join(repoRoot, pkg.bin.modhost);
/** The environment of a user's shell: NODE_OPTIONS without the suite's source condition. */
const userEnv = {
  NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace(SOURCE_CONDITION, '').trim(),
};

/** A module as tsc compiles it (decorators through __decorate, types through __metadata). */
const PRELUDE = `import { Module, Callback, WebResource } from 'modhost/decorators';
import { ModuleApi, jsonResponse } from 'modhost';
var __decorate = function (decorators, target, key, desc) {
  var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
  for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
  return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = function (k, v) { return Reflect.metadata(k, v); };
`;
const moduleSource = (name: string, body: string) => `${PRELUDE}
let ${name} = class ${name} {
  constructor(api) { this.api = api; }
  check() { return 'NOT_SPAM'; }
  status() { return jsonResponse({ module: '${name}', api: this.api instanceof ModuleApi, thread: ${body} }); }
  spin() { for (;;) {} }
};
__decorate([Callback('spam_checker', 'check_event_for_spam'), __metadata('design:type', Function)], ${name}.prototype, 'check', null);
__decorate([WebResource('/_synapse/client/${name}/status', { methods: ['GET'] }), __metadata('design:type', Function)], ${name}.prototype, 'status', null);
__decorate([WebResource('/_synapse/client/${name}/spin', { methods: ['GET'] }), __metadata('design:type', Function)], ${name}.prototype, 'spin', null);
${name} = __decorate([Module({ name: '${name}' }), __metadata('design:paramtypes', [ModuleApi])], ${name});
export { ${name} };
`;

describe('the shipped bundle, as a user runs it', function () {
  this.timeout(60_000);
  let dir: string;
  let config: string;

  before(function () {
    dir = mkdtempSync(path.join(os.tmpdir(), 'modhost-bundle-'));
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(repoRoot, path.join(dir, 'node_modules', 'modhost'), 'dir');
    const threadId = "(await import('node:worker_threads')).threadId";
    writeFileSync(path.join(dir, 'inline.js'), moduleSource('inline', '0'));
    writeFileSync(
      path.join(dir, 'walled.js'),
      moduleSource('walled', threadId).replace('status() {', 'async status() {'),
    );
    config = path.join(dir, 'modhost.yaml');
    writeFileSync(
      config,
      [
        'server: { bind: 127.0.0.1, port: 0 }',
        'watchdog: { blocked_timeout: 300ms }',
        'modules:',
        '  - module: ./inline.js#inline',
        '  - module: ./walled.js#walled',
        '    isolation: worker',
        '',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exports exactly what each source entry point exports', function () {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue; // ./package.json
      const names = (file: string) =>
        execFileSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(path.join(repoRoot, file))});
             process.stdout.write(JSON.stringify(Object.keys(m).sort()));`,
          ],
          { encoding: 'utf8', env: { ...process.env, ...userEnv } },
        );
      const bundled = JSON.parse(names(target.default)) as string[];
      expect(bundled, subpath).to.deep.equal(JSON.parse(names(target['modhost-source']!)));
      expect(bundled.length, subpath).to.be.greaterThan(0);
    }
  });

  it('`modhost --version` reads the package version from the bundled CLI', function () {
    const out = execFileSync(process.execPath, [bin, '--version'], {
      encoding: 'utf8',
      env: { ...process.env, ...userEnv },
    });
    expect(out.trim()).to.equal(pkg.version);
  });

  it('`modhost check` loads the modules through `modhost`, loading no lazy part', function () {
    const probe = path.join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      `import { createRequire } from 'node:module';
       process.on('exit', () => {
         const files = Object.keys(createRequire(import.meta.url).cache);
         process.stderr.write('LOADED ' + JSON.stringify(files) + '\\n');
       });`,
    );
    const run = spawnSync(process.execPath, ['--import', probe, bin, 'check', '-c', config], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...userEnv },
    });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include('inline').and.include('walled');
    expect(run.stdout).to.include('spam_checker.check_event_for_spam');
    const line = run.stderr.split('\n').find((l) => l.startsWith('LOADED '))!;
    const loaded = (JSON.parse(line.slice('LOADED '.length)) as string[]).join('\n');
    // Only the bundle: no file of tsc's output is loaded beside it (one copy of modhost).
    expect(loaded).not.to.include(path.join(repoRoot, 'dist', 'src'));
    for (const lazy of ['/redis/', '/@redis/', '/class-validator/', '/pino/', '/prom-client/index'])
      expect(loaded, lazy).not.to.include(lazy);
    expect(loaded).to.include('/tsyringe/');
  });

  it('serves in-process and isolated modules, and its watchdog thread ends a blocked process', async function () {
    const serve = await ServeProcess.run([bin, 'serve', '-c', config], userEnv);
    try {
      const inline = await (await fetch(`${serve.url}/_synapse/client/inline/status`)).json();
      expect(inline).to.deep.equal({ module: 'inline', api: true, thread: 0 });
      const walled = (await (await fetch(`${serve.url}/_synapse/client/walled/status`)).json()) as {
        api: boolean;
        thread: number;
      };
      // Built in its worker from the bundle's worker entry, with the same ModuleApi class.
      expect(walled.api).to.equal(true);
      expect(walled.thread).to.be.greaterThan(0);
      // An in-process module that spins: the watchdog thread (a bundle entry too) ends it.
      void fetch(`${serve.url}/_synapse/client/inline/spin`).catch(() => undefined);
      expect(await serve.exited).to.not.equal(0);
      expect(serve.output)
        .to.match(/inline/)
        .and.match(/blocked/i);
    } finally {
      serve.kill();
    }
  });
});
