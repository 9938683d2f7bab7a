/**
 * Errors that carry an HTTP status (Synapse's SynapseError), and the "module failed" error a
 * callback's exception becomes under the wrap policy.
 */
import { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';

/** What the host needs to answer a request from an error: status, Matrix errcode, fields. */
export interface HttpStatusCarrier {
  readonly status: number;
  readonly errcode: string;
  readonly message: string;
  readonly additionalFields?: Readonly<Record<string, unknown>>;
}

/**
 * An error a module (or host) raises to fail an operation with a specific HTTP answer, e.g.
 * `throw new HttpError(403, Codes.FORBIDDEN, 'Not in this room')`. Wrapping policies re-throw
 * it as it is.
 */
export class HttpError extends Error implements HttpStatusCarrier {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    readonly additionalFields: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The Matrix JSON error body: `{ errcode, error, ...additionalFields }`. */
  toJSON(): Record<string, unknown> {
    return { ...this.additionalFields, errcode: this.errcode, error: this.message };
  }
}

/**
 * A callback threw something that carries no HTTP status; the operation fails with `status`.
 * `message` names the callback, for logs and the host's code; a client reads `clientMessage`
 * (in `toJSON()` and `clientErrorBody`): Synapse answers its ModuleFailedException with a bare
 * "Internal server error", so a client learns no callback or module name unless the category's
 * policy gave a message of its own.
 */
export class ModuleFailedError extends ModhostError implements HttpStatusCarrier {
  override name = 'ModuleFailedError';
  constructor(
    readonly module: string,
    readonly category: string,
    readonly callback: string,
    readonly status: number,
    readonly errcode: string,
    message: string,
    cause: unknown,
    readonly clientMessage: string = INTERNAL_ERROR,
  ) {
    super(ErrorCode.MODULE_FAILED, message, { cause });
  }

  toJSON(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.clientMessage };
  }
}

/** What Synapse tells a client about a failure that is not a SynapseError. */
const INTERNAL_ERROR = 'Internal server error';

/**
 * The Matrix JSON body a client gets for an error carrying an HTTP status: `{ errcode, error,
 * ...additionalFields }`, with a module failure's client message rather than its log message.
 */
export function clientErrorBody(error: HttpStatusCarrier): Record<string, unknown> {
  if (error instanceof ModuleFailedError) return error.toJSON();
  return { ...error.additionalFields, errcode: error.errcode, error: error.message };
}

/** True for errors that carry their own HTTP answer (any copy of HttpError, or duck-typed). */
export function carriesHttpStatus(error: unknown): error is HttpStatusCarrier {
  if (error instanceof HttpError || error instanceof ModuleFailedError) return true;
  if (error === null || typeof error !== 'object') return false;
  const e = error as { status?: unknown; errcode?: unknown };
  return (
    typeof e.status === 'number' &&
    e.status >= 400 &&
    e.status <= 599 &&
    typeof e.errcode === 'string'
  );
}
