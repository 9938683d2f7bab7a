/**
 * Subject of bench/http.bench.ts: the bench module (one resource per response kind) in a host
 * embedded in this process, as an application would run it: `ModuleHost.create(...).start()`,
 * `createTestHost({ listen: true })` (`node module-server.js test-host`), or with the fast globals
 * opted out (`node module-server.js no-fast-globals`, for information).
 */
import 'reflect-metadata';
import { ModuleHost } from '../../src/host/module-host.js';
import { createLogger } from '../../src/logging/logger.js';
import { createTestHost } from '../../src/testing/test-host.js';
import { READY_PREFIX } from './body.js';
import { BenchKinds } from './kinds-module.js';

const variant = process.argv[2] ?? 'embedded';
const modules = [{ module: BenchKinds }];
let host: ModuleHost;
if (variant === 'test-host') {
  host = await createTestHost({ modules, listen: true, server: { bind: '127.0.0.1' } });
} else if (variant === 'embedded' || variant === 'no-fast-globals') {
  host = await ModuleHost.create({
    modules,
    server: { bind: '127.0.0.1', port: 0, fast_globals: variant === 'embedded' },
    logger: createLogger({ level: 'warn', pretty: false }),
  });
  await host.start();
} else {
  process.stderr.write(`unknown variant ${variant}; use embedded, test-host or no-fast-globals\n`);
  process.exit(2);
}
process.stdout.write(`${READY_PREFIX}${host.url!}\n`);
process.on('SIGTERM', () => void host.stop().then(() => process.exit(0)));
