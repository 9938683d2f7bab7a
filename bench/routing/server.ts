/**
 * Subject of the long-path line of bench/routing.bench.ts: a full ModuleHost (as `modhost serve`
 * runs it) whose module registers 1,000 routes of each kind (exact, prefix, parameter).
 */
import 'reflect-metadata';
import { Module } from '../../decorators/index.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { ModuleHost } from '../../src/host/module-host.js';
import { createLogger } from '../../src/logging/logger.js';
import { READY_PREFIX } from '../http/body.js';
import { answerCpuQueries } from '../http/cpu-report.js';

export const ROUTES = 1000;

@Module({ name: 'routes' })
class Routes {
  constructor(api: ModuleApi) {
    const ok = () => new Response('ok');
    for (let i = 0; i < ROUTES; i++) {
      api.registerWebResource(`/_synapse/client/m${i}/status`, ok);
      api.registerWebResource(`/_synapse/client/m${i}/files`, ok, { prefix: true });
      api.registerWebResource(`/_synapse/client/m${i}/rooms/:room_id/state/:type`, ok);
    }
  }
}

const host = await ModuleHost.create({
  modules: [{ module: Routes }],
  server: { bind: '127.0.0.1', port: 0 },
  logger: createLogger({ level: 'warn', pretty: false }),
});
await host.start();
process.stdout.write(`${READY_PREFIX}${host.url!}\n`);
answerCpuQueries();
process.on('SIGTERM', () => void host.stop().then(() => process.exit(0)));
