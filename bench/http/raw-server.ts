/** Baseline for bench/http.bench.ts: a bare `node:http` server sending the same JSON body. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BENCH_BODY, BENCH_PATH, READY_PREFIX } from './body.js';
import { answerCpuQueries } from './cpu-report.js';

const server = createServer((req, res) => {
  if (req.url === BENCH_PATH && req.method === 'GET') {
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
