/** Callback categories: the definition API for host authors and the built-in Synapse pack. */
export {
  defineCategory,
  categoryProblems,
  firstDecisive,
  runAll,
  merge,
  once,
  custom,
  propagate,
  ignoreAndLog,
  wrapAsModuleFailure,
} from './define.js';
export { SKIPPED, DENIED } from './types.js';
export { hostCategory, type HostCategory, type JoinNames } from './names.js';
export type {
  CategoryDefinition,
  CallbackSpec,
  CombinePolicy,
  ErrorPolicy,
  FirstDecisivePolicy,
  AllPolicy,
  MergePolicy,
  OncePolicy,
  CustomPolicy,
  CustomRunContext,
  PropagatePolicy,
  IgnorePolicy,
  WrapPolicy,
  ArgumentRule,
  CallContext,
  AcceptedEntry,
} from './types.js';
export * from './synapse/index.js';
