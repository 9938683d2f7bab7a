/** The error module: codes, error classes and every message modhost produces. */
export { ErrorCode } from './codes.js';
export {
  ModhostError,
  hasErrorCode,
  ConfigError,
  ConfigValidationError,
  type ConfigProblem,
  type ConfigPath,
  renderPath,
  formatProblem,
  formatProblems,
  MAX_SHOWN_PROBLEMS,
} from './modhost-error.js';
