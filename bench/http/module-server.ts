/**
 * Subject of bench/http.bench.ts: a module's GET resource served by a full ModuleHost, as
 * `modhost serve` runs it (decorated module, metrics, routing, the Node adapter).
 * `node module-server.js [response-json|json-helper|response-json-fast]` picks how the handler
 * builds its response: `Response.json` as module authors write it, modhost's `jsonResponse`, or
 * `Response.json` after `installFastResponseJson()` (what `modhost serve` does at startup).
 */
import 'reflect-metadata';
import { Module, WebResource } from '../../decorators/index.js';
import { ModuleHost } from '../../src/host/module-host.js';
import { createLogger } from '../../src/logging/logger.js';
import { jsonResponse } from '../../src/web/json.js';
import { installFastResponseJson } from '../../src/web/fast-globals.js';
import { BENCH_BODY, BENCH_PATH, READY_PREFIX } from './body.js';
import { answerCpuQueries } from './cpu-report.js';

type Variant = 'response-json' | 'json-helper' | 'response-json-fast';
const VARIANTS: readonly string[] = ['response-json', 'json-helper', 'response-json-fast'];

@Module({ name: 'bench' })
class ResponseJsonModule {
  @WebResource(BENCH_PATH, { methods: ['GET'] })
  get(): Response {
    return Response.json(BENCH_BODY);
  }
}

@Module({ name: 'bench' })
class JsonHelperModule {
  @WebResource(BENCH_PATH, { methods: ['GET'] })
  get(): Response {
    return jsonResponse(BENCH_BODY);
  }
}

async function startServer(variant: Variant): Promise<{ url: string; close(): Promise<void> }> {
  if (variant === 'response-json-fast') installFastResponseJson();
  const host = await ModuleHost.create({
    modules: [{ module: variant === 'json-helper' ? JsonHelperModule : ResponseJsonModule }],
    server: { bind: '127.0.0.1', port: 0 },
    logger: createLogger({ level: 'warn', pretty: false }),
  });
  await host.start();
  return { url: host.url!, close: () => host.stop() };
}

const variant = (process.argv[2] ?? 'response-json') as Variant;
if (!VARIANTS.includes(variant)) {
  process.stderr.write(`unknown variant ${variant}; use one of ${VARIANTS.join(', ')}\n`);
  process.exit(2);
}
const { url, close } = await startServer(variant);
process.stdout.write(`${READY_PREFIX}${url}\n`);
answerCpuQueries();
process.on('SIGTERM', () => void close().then(() => process.exit(0)));
