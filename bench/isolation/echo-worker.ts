/**
 * Baseline of bench/isolation-call.bench.ts: a worker that answers every message on its port
 * with the verdict the module computes, and nothing else (no ids, no checks, no dispatch).
 */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (event: { content: { body: string } }) =>
  parentPort!.postMessage(event.content.body.length > 1000 ? 'M_FORBIDDEN' : 'NOT_SPAM'),
);
