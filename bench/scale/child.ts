/**
 * One measurement in a fresh process (so module caches never carry over). Prints JSON
 * `{ ms, cpuMs }` to stdout.
 *   import <config> <file...>: imports modhost, then the module files alone (the baseline);
 *   load <config>: imports modhost, then `ModuleHost.fromConfigFile` (load, scan, validate);
 *   wire <config>: as load, then `wire()` (construct and register), timing wire() alone.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [mode, config] = process.argv.slice(2) as [string, string];
// `modhost` as the generated modules import it (the shipped bundle), so both sides share one copy.
const { ModuleHost } = await import('modhost');
const { createLogger } = await import('../../src/logging/logger.js');
const logger = createLogger({ level: 'silent', pretty: false });

function clock(): { ms: number; cpu: number } {
  const cpu = process.cpuUsage();
  return { ms: performance.now(), cpu: (cpu.user + cpu.system) / 1000 };
}

let start = clock();
if (mode === 'import') {
  const files = JSON.parse(readFileSync(`${config}.files.json`, 'utf8')) as string[];
  // As the loader does: every file imported at once.
  await Promise.all(files.map((file) => import(pathToFileURL(file).href)));
} else {
  const host = await ModuleHost.fromConfigFile(config, { logger });
  if (mode === 'wire') {
    start = clock();
    await host.wire();
  }
  const end = clock();
  process.stdout.write(JSON.stringify({ ms: end.ms - start.ms, cpuMs: end.cpu - start.cpu }));
  await host.stop();
  process.exit(0);
}
const end = clock();
process.stdout.write(JSON.stringify({ ms: end.ms - start.ms, cpuMs: end.cpu - start.cpu }));
