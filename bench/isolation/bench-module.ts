/** The module both sides of the isolation benchmarks run: one callback, one GET resource. */
import { Callback, Module, WebResource } from '../../decorators/index.js';
import { Codes, NOT_SPAM } from '../../src/categories/synapse/index.js';
import { BENCH_BODY, BENCH_PATH } from '../http/body.js';

@Module({ name: 'bench' })
export class IsolationBench {
  @WebResource(BENCH_PATH, { methods: ['GET'] })
  get(): Response {
    return Response.json(BENCH_BODY);
  }

  @Callback('spam_checker', 'check_event_for_spam')
  async check(event: { content: Record<string, unknown> }) {
    return String(event.content.body).length > 1000 ? Codes.FORBIDDEN : NOT_SPAM;
  }
}

/** The spec a host (or a worker) loads it by. */
export const BENCH_MODULE =
  new URL('./bench-module.js', import.meta.url).pathname + '#IsolationBench';
