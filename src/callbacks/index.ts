/** The callback registry and the errors callbacks raise or carry. */
export { CallbackRegistry, type CallbackRegistryOptions } from './registry.js';
export {
  HttpError,
  ModuleFailedError,
  carriesHttpStatus,
  clientErrorBody,
  type HttpStatusCarrier,
} from './http-error.js';
export { CallbackTimeoutError } from './invoke.js';
export { freezeDeep } from './arguments.js';
