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
  listenFailed: (what: string, cause: unknown) =>
    new ModhostError(
      ErrorCode.LISTEN_FAILED,
      `could not listen for ${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    ),
};
