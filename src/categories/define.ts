/**
 * The public API for defining callback categories — the same one the built-in Synapse pack
 * uses. A host author writes:
 *
 *   const audit = defineCategory({
 *     name: 'audit',
 *     callbacks: {
 *       // first module that returns something other than 'allow' decides
 *       may_export: {
 *         combine: firstDecisive({ isNeutral: (r) => r === 'allow', fallback: () => 'allow' }),
 *         onError: wrapAsModuleFailure(),
 *         decision: { deny: () => 'deny' },       // lets `on_error: fail_closed` deny
 *       },
 *       on_exported: { combine: runAll(), onError: ignoreAndLog() },
 *     },
 *   });
 *   const host = await ModuleHost.create({ modules, categories: [audit] });
 *   const verdict = await host.callbacks.run('audit', 'may_export', userId);
 *
 * and, for compile-time checks of `@Callback('audit', ...)` methods:
 *
 *   declare module 'modhost/decorators' {
 *     interface CallbackCategories {
 *       audit: { may_export: (userId: string) => Promise<'allow' | 'deny'>;
 *                on_exported: (userId: string) => Promise<void> };
 *     }
 *   }
 */
import { ErrorCode } from '../errors/codes.js';
import type { HostCategory } from './names.js';
import { ModhostError } from '../errors/modhost-error.js';
import { invalidCategoryMessage } from '../errors/callback-messages.js';
import type {
  AllPolicy,
  ArgumentRule,
  CallbackSpec,
  CategoryDefinition,
  CustomPolicy,
  FirstDecisivePolicy,
  IgnorePolicy,
  MergePolicy,
  OncePolicy,
  PropagatePolicy,
  WrapPolicy,
} from './types.js';

export type * from './types.js';
export { SKIPPED, DENIED } from './types.js';

// ---- combination policies ----

export function firstDecisive(options: {
  isNeutral: (result: unknown) => boolean;
  normalise?: FirstDecisivePolicy['normalise'];
  fallback: () => unknown;
}): FirstDecisivePolicy {
  return { kind: 'first-decisive', ...options };
}

export function runAll(): AllPolicy {
  return { kind: 'all' };
}

export function merge(options: Omit<MergePolicy, 'kind'>): MergePolicy {
  return { kind: 'merge', ...options };
}

export function once(options: {
  duplicate: 'error' | 'warn';
  fallback?: () => unknown;
}): OncePolicy {
  return { kind: 'once', duplicate: options.duplicate, fallback: options.fallback ?? noValue };
}

export function custom(run: CustomPolicy['run']): CustomPolicy {
  return { kind: 'custom', run };
}

// ---- error policies ----

const PROPAGATE: PropagatePolicy = Object.freeze({ kind: 'propagate' });
const IGNORE: IgnorePolicy = Object.freeze({ kind: 'ignore' });

export function propagate(): PropagatePolicy {
  return PROPAGATE;
}

export function ignoreAndLog(): IgnorePolicy {
  return IGNORE;
}

/**
 * Default: 500 M_UNKNOWN "Failed to run `<callback>` module API callback"; an error carrying its
 * own HTTP status is re-thrown as it is unless `keepHttpErrors: false`.
 */
export function wrapAsModuleFailure(
  options: { status?: number; errcode?: string; message?: string; keepHttpErrors?: boolean } = {},
): WrapPolicy {
  return {
    kind: 'wrap',
    status: options.status ?? 500,
    errcode: options.errcode ?? 'M_UNKNOWN',
    message: options.message ?? '',
    keepHttpErrors: options.keepHttpErrors ?? true,
  };
}

function noValue(): undefined {
  return undefined;
}

// ---- the category itself ----

const NAME = /^[A-Za-z_][\w.-]*$/;
const KINDS = new Set(['first-decisive', 'all', 'merge', 'once', 'custom']);
const ERROR_KINDS = new Set(['propagate', 'ignore', 'wrap']);
const ARGUMENT_RULES: ReadonlySet<unknown> = new Set<ArgumentRule>(['shared', 'copy', 'frozen']);

/** Checks a definition and returns it frozen. Mistakes throw CATEGORY_INVALID naming the spot. */
/**
 * Validates and freezes a category definition. The result's `name` is typed `HostCategory`, so
 * `host.callbacks.run(audit.name, ...)` and `@Callback(audit.name, ...)` accept it unchecked.
 */
export function defineCategory<const D extends CategoryDefinition>(
  definition: D,
): D & { readonly name: HostCategory<D['name']> } {
  const problems = categoryProblems(definition);
  if (problems.length > 0) {
    throw new ModhostError(
      ErrorCode.CATEGORY_INVALID,
      invalidCategoryMessage(String(definition?.name ?? '(unnamed)'), problems),
    );
  }
  for (const spec of Object.values(definition.callbacks)) Object.freeze(spec);
  Object.freeze(definition.callbacks);
  return Object.freeze(definition) as D & { readonly name: HostCategory<D['name']> };
}

/** Every problem of a definition (empty when valid). Used by `defineCategory` and the registry. */
export function categoryProblems(definition: CategoryDefinition): string[] {
  const problems: string[] = [];
  if (definition === null || typeof definition !== 'object') return ['must be an object'];
  if (typeof definition.name !== 'string' || !NAME.test(definition.name))
    problems.push(`name must be an identifier-like string, got ${JSON.stringify(definition.name)}`);
  const callbacks = definition.callbacks;
  if (callbacks === null || typeof callbacks !== 'object') {
    problems.push('callbacks must be an object mapping callback names to specs');
    return problems;
  }
  for (const [name, spec] of Object.entries(callbacks)) problems.push(...specProblems(name, spec));
  for (const group of definition.paired ?? []) {
    if (!Array.isArray(group) || group.length < 2)
      problems.push('paired: each group must list at least two callback names');
    else
      for (const name of group)
        if (!(name in callbacks)) problems.push(`paired: "${name}" is not a callback of it`);
  }
  if (definition.exclusive !== undefined && !['error', 'warn'].includes(definition.exclusive))
    problems.push(
      `exclusive must be "error" or "warn", got ${JSON.stringify(definition.exclusive)}`,
    );
  return problems;
}

function specProblems(name: string, spec: CallbackSpec): string[] {
  const at = `callbacks.${name}`;
  if (spec === null || typeof spec !== 'object') return [`${at} must be an object`];
  const out: string[] = [];
  if (!NAME.test(name)) out.push(`${at}: the name must be identifier-like`);
  if (!spec.combine || !KINDS.has(spec.combine.kind))
    out.push(`${at}.combine must come from firstDecisive(), runAll(), merge(), once() or custom()`);
  if (!spec.onError || !ERROR_KINDS.has(spec.onError.kind))
    out.push(`${at}.onError must come from propagate(), ignoreAndLog() or wrapAsModuleFailure()`);
  if (spec.decision !== undefined && typeof spec.decision?.deny !== 'function')
    out.push(`${at}.decision.deny must be a function returning the denying result`);
  if (spec.timeout !== undefined && !(Number.isFinite(spec.timeout) && spec.timeout > 0))
    out.push(`${at}.timeout must be a positive number of milliseconds`);
  if (spec.args !== undefined) {
    if (!Array.isArray(spec.args)) out.push(`${at}.args must be an array of argument rules`);
    else
      spec.args.forEach((rule, i) => {
        if (!ARGUMENT_RULES.has(rule))
          out.push(
            `${at}.args[${i}] must be one of ${[...ARGUMENT_RULES].join(', ')}, got ${JSON.stringify(rule)}`,
          );
      });
  }
  for (const fn of ['prepareArgs', 'accept', 'conflict'] as const)
    if (spec[fn] !== undefined && typeof spec[fn] !== 'function')
      out.push(`${at}.${fn} must be a function`);
  return out;
}
