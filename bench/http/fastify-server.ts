/** Second baseline for bench/http.bench.ts: fastify 5 answering every bench kind. */
import Fastify from 'fastify';
import { READY_PREFIX } from './body.js';
import { answerCpuQueries } from './cpu-report.js';
import { KINDS, type FastifyReplyLike } from './kinds.js';

const app = Fastify({ logger: false });
for (const kind of KINDS) {
  app.route({
    method: kind.method,
    url: kind.path,
    handler: (request, reply) =>
      kind.fastify(request as { body: unknown }, reply as unknown as FastifyReplyLike),
  });
}
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${READY_PREFIX}${url}\n`);
answerCpuQueries();
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
