/**
 * `npm run bench`: runs every benchmark script (dist/bench/*.bench.js) in a fresh process, one
 * after the other, so they do not disturb each other. Each prints its own ratios and budgets.
 * `npm run bench -- cache` runs only those whose file name contains "cache".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js') && f.includes(filter))
  .sort();

let failed = 0;
for (const script of scripts) {
  process.stdout.write(`\n== ${script.replace(/\.bench\.js$/, '')} ==\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', path.join(here, script)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${script} exited with ${result.status ?? result.signal}\n`);
  }
}
process.stdout.write(`\n${scripts.length} benchmark scripts run, ${failed} failed to run\n`);
process.exit(failed ? 1 : 0);
