/** Baseline for bench/http.bench.ts: a bare `node:http` server answering every bench kind. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BENCH_BODY, BENCH_PATH, READY_PREFIX } from './body.js';
import { answerCpuQueries } from './cpu-report.js';
import { KINDS } from './kinds.js';

const routes = new Map(KINDS.map((k) => [`${k.method} ${k.path}`, k]));

const server = createServer((req, res) => {
  const kind = routes.get(`${req.method} ${req.url}`);
  if (kind !== undefined) {
    kind.raw(req, res);
  } else if (req.url === BENCH_PATH && req.method === 'GET') {
    // Serialised per request, as the module handler does.
    const body = JSON.stringify(BENCH_BODY);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${READY_PREFIX}http://127.0.0.1:${port}\n`);
});
answerCpuQueries();
process.on('SIGTERM', () => server.close(() => process.exit(0)));
