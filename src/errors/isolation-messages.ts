/** Messages for isolated modules (`isolation: worker`) and their supervision. */
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';
import { tokenName } from './injection-messages.js';

export function workerOnlyKeyMessage(key: string): string {
  return `${key} applies only to isolated modules; add isolation: worker to this entry or remove ${key}`;
}

/** A config problem at `modules[i].module`: a class cannot be sent to a worker. */
export function needsSpecMessage(className: string): string {
  return `isolation: worker needs a module spec string such as './modules/x.js#${className || 'Class'}', not the class ${className}: the worker thread imports the module itself`;
}

export const isolationErrors = {
  /** `what` says where the value was going: "argument 1 of callback spam_checker.check_event_for_spam". */
  cannotCross: (module: string, what: string, where: string, problem: string) =>
    new ModhostError(
      ErrorCode.VALUE_CANNOT_CROSS,
      `module ${module} runs in a worker thread (isolation: worker): ${what}${where ? ` at ${where}` : ''} cannot be copied across threads: ${problem}. Pass plain data (objects, arrays, strings, numbers, Date, Map, Set, typed arrays)`,
    ),
  unavailable: (module: string, why: string) =>
    new ModhostError(ErrorCode.MODULE_UNAVAILABLE, `module ${module} is unavailable: ${why}`),
  exited: (module: string, why: string) =>
    new ModhostError(ErrorCode.WORKER_EXITED, `the worker thread of module ${module} ${why}`),
  /** `@Module({ exports })` of a module in a worker: the exported object lives in that thread. */
  exportFromWorker: (module: string, token: unknown) =>
    new ModhostError(
      ErrorCode.VALUE_CANNOT_CROSS,
      `module "${module}" runs in a worker thread (isolation: worker) and exports ${tokenName(token)}: an exported service is an object in the worker and cannot reach modules in other threads; drop the export, or run "${module}" in process, or provide the service to both as a host provider`,
    ),
  /** A module needs an export of a module on the other side of a thread boundary. */
  importAcross: (module: string, token: unknown, exporter: string, importerIsolated: boolean) =>
    new ModhostError(
      ErrorCode.VALUE_CANNOT_CROSS,
      `module "${module}" needs ${tokenName(token)}, which module "${exporter}" exports, but ${importerIsolated ? `"${module}"` : `"${exporter}"`} runs in a worker thread (isolation: worker): exports do not cross threads; run both in process, or give "${module}" its own provider of ${tokenName(token)}`,
    ),
  /** A testing-kit override aimed at an isolated module (its container is in the worker). */
  overrideAcross: (module: string, token: unknown) =>
    new ModhostError(
      ErrorCode.VALUE_CANNOT_CROSS,
      `module "${module}" runs in a worker thread (isolation: worker): the override of ${tokenName(token)} cannot reach its container in that thread; test the module in process to override its providers, or give it a host provider whose value can cross`,
    ),
  noInstance: (module: string) =>
    new ModhostError(
      ErrorCode.HOST_STATE,
      `module ${module} runs in a worker thread (isolation: worker); its instance is not reachable from the host — use host.callbacks.run or host.fetch`,
    ),
};

/** The log line when a module stays down. */
export function stayingDownMessage(module: string, restarts: number, windowMs: number): string {
  return `module ${module} failed ${restarts + 1} times within ${windowMs} ms (supervision.max_restarts: ${restarts}); it stays down until the host restarts`;
}

export function restartingMessage(module: string, delayMs: number): string {
  return `restarting module ${module} in a new worker thread in ${delayMs} ms`;
}
