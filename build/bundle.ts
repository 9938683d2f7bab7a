/**
 * The shipped build: modhost's compiled files (tsc's dist/src and dist/decorators) bundled by
 * esbuild into a few files, which package.json's `bin` and `exports` point to.
 *
 * Why: a Node ESM start pays per file (resolve, stat, read, compile, link), and importing modhost
 * meant about 160 of them: most of a `modhost check`'s start-up (docs/performance.md).
 *
 * How it stays one modhost:
 *  - every public entry point (`modhost`, `modhost/decorators`, `modhost/testing`,
 *    `modhost/validators`), the CLI and the two thread entry points are entries of one build with
 *    code splitting, so each source file lands in exactly one chunk: the CLI, a user's module and
 *    a worker thread all get the same classes, tokens and metadata keys;
 *  - a lazily imported part (the Redis bus, the database drivers, isolation, the watchdog) stays a
 *    chunk of its own behind its `import()`, so its packages are still loaded only when used
 *    (esbuild would hoist their imports to the top of one unsplit file);
 *  - packages stay external (tsyringe and reflect-metadata must be the user's very copies), except
 *    the YAML parsers: read through Node's loader yaml is some sixty CommonJS files and about
 *    30 ms of a `modhost check`, bundled a few, and no object of theirs reaches a user;
 *  - the output sits three levels below the package root, as dist/src/<dir>/ does, so the paths
 *    the sources resolve against `import.meta.url` (package.json, the installation root) hold,
 *    and flat, so `./worker-entry.js` and `./watchdog-thread.js` name the thread entries;
 *  - the decorator metadata tsc emitted is already code in its output; `keepNames` keeps class
 *    and function names, which messages show.
 *
 * The tests run on tsc's files (the `modhost-source` export condition, see test/setup), and
 * test/packaging checks this build as users run it.
 */
import { build, type Plugin } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the bundle goes (package.json `bin` and `exports` point here). */
const BUNDLE_DIR = path.join(dist, 'bundle', 'esm');

const entryPoints = {
  modhost: 'src/index.js',
  decorators: 'decorators/index.js',
  testing: 'src/testing/index.js',
  validators: 'src/validators/index.js',
  cli: 'src/cli/bin.js',
  // Loaded by URL relative to the chunk that starts the thread (isolated-module.ts, watchdog.ts).
  'worker-entry': 'src/isolation/worker-entry.js',
  'watchdog-thread': 'src/watchdog/watchdog-thread.js',
};

/** Packages bundled in rather than imported from node_modules (see above). */
const BUNDLED = new Set(['yaml', 'js-yaml']);

const packagesExternal: Plugin = {
  name: 'packages-external-but-bundled',
  setup(b) {
    // Bare specifiers (packages and node: built-ins) stay imports, but for BUNDLED.
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@')
        ? args.path.split('/').slice(0, 2).join('/')
        : args.path.split('/')[0]!;
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
    // src/deps/<package>.ts `require`s a BUNDLED package, which skips Node's ESM lexing of it
    // when not bundled; here an import, so that esbuild sees it and bundles it.
    b.onLoad({ filter: /[\\/]src[\\/]deps[\\/][a-z-]+\.js$/ }, async (args) => {
      const name = path.basename(args.path, '.js');
      if (!BUNDLED.has(name)) return undefined;
      const { readFile } = await import('node:fs/promises');
      const names = /export const \{([^}]*)\} = \w+;/.exec(await readFile(args.path, 'utf8'));
      if (!names)
        throw new Error(`${args.path}: its export list is not where build/bundle.ts reads it`);
      return {
        contents: `export {${names[1]}} from '${name}';\n`,
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

rmSync(BUNDLE_DIR, { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(
    Object.entries(entryPoints).map(([name, file]) => [name, path.join(dist, file)]),
  ),
  outdir: BUNDLE_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  plugins: [packagesExternal],
  // A bundled CommonJS package's require() of a built-in needs a real require in an ES module.
  banner: {
    js: "import { createRequire as __modhostCreateRequire } from 'node:module';\nconst require = __modhostCreateRequire(import.meta.url);",
  },
  chunkNames: 'chunk-[hash]',
  keepNames: true,
  // tsc's source maps are followed, so a stack trace still names the .ts line.
  sourcemap: 'linked',
  logLevel: 'warning',
  // Minified (names kept): a start compiles less, about 20 ms of CPU of a `modhost check` on
  // Node 20. Stack traces keep function and class names; NODE_OPTIONS=--enable-source-maps maps
  // them to the TypeScript lines.
  minify: true,
});
chmodSync(path.join(BUNDLE_DIR, 'cli.js'), 0o755);
