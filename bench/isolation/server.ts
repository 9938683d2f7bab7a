/**
 * Subject and baseline of bench/isolation-http.bench.ts: the same module's GET resource served
 * by a full ModuleHost, `node server.js in-process|worker` says where the module runs.
 */
import 'reflect-metadata';
import { ModuleHost } from '../../src/host/module-host.js';
import { createLogger } from '../../src/logging/logger.js';
import { READY_PREFIX } from '../http/body.js';
import { answerCpuQueries } from '../http/cpu-report.js';
import { BENCH_MODULE } from './bench-module.js';

const mode = process.argv[2] === 'worker' ? 'worker' : 'in-process';
const host = await ModuleHost.create({
  modules: [{ module: BENCH_MODULE, isolation: mode }],
  server: { bind: '127.0.0.1', port: 0 },
  logger: createLogger({ level: 'warn', pretty: false }),
});
await host.start();
process.stdout.write(`${READY_PREFIX}${host.url}\n`);
answerCpuQueries();
process.on('SIGTERM', () => void host.stop().then(() => process.exit(0)));
