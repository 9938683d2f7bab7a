/** Messages for the host's own lifecycle. */
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';

export const hostErrors = {
  restart: () =>
    new ModhostError(
      ErrorCode.HOST_STATE,
      'this host was stopped and cannot start again; create a new ModuleHost',
    ),
  unknownModule: (what: string, names: readonly string[]) =>
    new ModhostError(
      ErrorCode.HOST_STATE,
      `no module ${what} in this host; modules: ${names.length ? names.join(', ') : '(none)'}`,
    ),
  notWired: (what: string) =>
    new ModhostError(
      ErrorCode.HOST_STATE,
      `${what} is only available once the host has started (await host.start())`,
    ),
  startTimeout: (module: string, ms: number, setting: string) =>
    new ModhostError(
      ErrorCode.MODULE_START_TIMEOUT,
      `module ${module}: onStart did not finish within ${ms} ms (${setting}); the host does not ` +
        `start. Make onStart finish sooner (start long work with api.runInBackground) or raise ${setting}`,
    ),
  listenFailed: (what: string, cause: unknown) =>
    new ModhostError(
      ErrorCode.LISTEN_FAILED,
      `could not listen for ${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    ),
};
