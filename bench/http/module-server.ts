/**
 * Subject of bench/http.bench.ts: a module's GET resource served by WebRegistry + WebServer.
 * `node module-server.js [response-json|json-helper|response-json-fast]` picks how the handler
 * builds its response: `Response.json` as module authors write it, modhost's `jsonResponse`, or
 * `Response.json` after `installFastResponseJson()` (what `modhost serve` may enable). To bench a full
 * host instead, replace `startServer` below; the parent only needs the READY line.
 */
import { createLogger } from '../../src/logging/logger.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { WebRegistry } from '../../src/web/registry.js';
import { WebServer } from '../../src/web/server.js';
import { jsonResponse } from '../../src/web/json.js';
import { installFastResponseJson } from '../../src/web/fast-globals.js';
import { BENCH_BODY, BENCH_PATH, READY_PREFIX } from './body.js';
import { answerCpuQueries } from './cpu-report.js';

type Variant = 'response-json' | 'json-helper' | 'response-json-fast';
const VARIANTS: readonly string[] = ['response-json', 'json-helper', 'response-json-fast'];

async function startServer(variant: Variant): Promise<{ url: string; close(): Promise<void> }> {
  const logger = createLogger({ level: 'warn', pretty: false });
  const registry = new WebRegistry({ reservedPrefixes: ['/_matrix/client'], logger });
  if (variant === 'response-json-fast') installFastResponseJson();
  const handler =
    variant === 'json-helper' ? () => jsonResponse(BENCH_BODY) : () => Response.json(BENCH_BODY);
  registry.register({ name: 'bench', index: 0 }, BENCH_PATH, handler, { methods: ['GET'] });
  registry.close();
  const server = new WebServer(registry, {
    logger,
    metrics: createMetricsRegistry(),
    server: {
      bind: '127.0.0.1',
      port: 0,
      listen: true,
      public_baseurl: 'http://127.0.0.1/',
      max_request_size: 10 * 1024 * 1024,
      headers_timeout: 60_000,
      request_timeout: 300_000,
      keep_alive_timeout: 5_000,
      drain_timeout: 1_000,
      reserved_prefixes: [],
    },
  });
  const url = await server.listen();
  return { url, close: () => server.close() };
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
