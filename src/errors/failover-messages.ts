/**
 * Messages for the failover area: invalidations Redis did not confirm, and scheduled tasks
 * (`api.scheduleTask`) whose options or cron expression are wrong. Each names the cache or
 * task and what to do.
 */
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';

export function invalidationNotPublished(
  caches: readonly string[],
  reason: string,
  stallTimeoutMs: number,
): ModhostError {
  const what = caches.length === 1 ? `cache ${caches[0]}` : `caches ${caches.join(', ')}`;
  return new ModhostError(
    ErrorCode.INVALIDATION_NOT_PUBLISHED,
    `invalidation of ${what} was applied on this instance, but Redis did not confirm it to the ` +
      `other instances (${reason}); they stop using their caches within cluster.stall_timeout ` +
      `(${stallTimeoutMs} ms) of Redis becoming unreachable and clear them when it is back, and ` +
      `this instance clears ${what} everywhere once it reconnects. Treat the change as not yet ` +
      `visible everywhere (retry, or answer 503)`,
  );
}

/**
 * Published, but not every instance live at that moment confirmed applying it in time. `peers`
 * are their ids (instance name and process tag); empty when only the wait after Redis lost its
 * membership data was left.
 */
export function invalidationNotAcknowledged(
  caches: readonly string[],
  peers: readonly string[],
  publishTimeoutMs: number,
): ModhostError {
  const what = caches.length === 1 ? `cache ${caches[0]}` : `caches ${caches.join(', ')}`;
  const who =
    peers.length === 0
      ? 'Redis lost its membership data (restart without persistence, FLUSHALL) too recently ' +
        'to know every instance'
      : `${peers.length === 1 ? 'instance' : 'instances'} ${peers.join(', ')} did not confirm ` +
        `applying it within ${publishTimeoutMs} ms (twice cluster.stall_timeout) while still ` +
        `registered as live in Redis; look for an overloaded or stuck process there`;
  return new ModhostError(
    ErrorCode.INVALIDATION_NOT_ACKNOWLEDGED,
    `invalidation of ${what} was applied on this instance and published, but ${who}. They may ` +
      `serve the old value until they read the message. Treat the change as not yet visible ` +
      `everywhere (retry, or answer 503)`,
  );
}

/** `where` is `module antispam: api.scheduleTask({ id: 'purge' })`. */
export function scheduleInvalid(where: string, problem: string): ModhostError {
  return new ModhostError(ErrorCode.SCHEDULE_INVALID, `${where}: ${problem}`);
}

/** A second `api.scheduleTask` with an id the module already uses. */
export function scheduleDuplicate(moduleName: string, id: string): ModhostError {
  return scheduleInvalid(
    `module ${moduleName}: api.scheduleTask({ id: ${JSON.stringify(id)} })`,
    'a task with this id is already scheduled by this module; give each task its own id',
  );
}

/** A cron expression's problem, located by field (1-based) and the text of that field. */
export function cronFieldProblem(
  expression: string,
  field: number,
  name: string,
  text: string,
  problem: string,
): string {
  return (
    `cron ${JSON.stringify(expression)}: field ${field} (${name}) ${JSON.stringify(text)} ` +
    `${problem}; a cron expression has 5 fields: minute hour day-of-month month day-of-week, ` +
    `each *, a number, a range a-b, a list a,b or a step */n or a-b/n`
  );
}
