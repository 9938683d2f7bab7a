/** Messages for building modules: injection, constructors, lifecycle hooks. */
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';

export const tokenName = (token: unknown): string =>
  typeof token === 'function'
    ? (token as Function).name || '(anonymous class)'
    : typeof token === 'symbol'
      ? token.toString()
      : JSON.stringify(token);

const PRIMITIVES = new Set<unknown>([
  Object,
  String,
  Number,
  Boolean,
  Array,
  Function,
  Symbol,
  BigInt,
]);

export const injectionErrors = {
  unresolvable: (
    moduleName: string,
    className: string,
    index: number,
    token: unknown,
    cause?: unknown,
  ) => {
    const where = `module "${moduleName}": cannot inject constructor parameter #${index} of class ${className}`;
    let why: string;
    if (token === undefined) {
      why =
        'its type is unknown (a circular import, or a type only known at compile time); use @Inject(TOKEN)';
    } else if (PRIMITIVES.has(token)) {
      why = `its type erases to ${tokenName(token)} at run time (interfaces, unions and \`any\` do); use @Inject(TOKEN) with a token the host provides, or MODULE_CONFIG for the module's config`;
    } else {
      why = `nothing provides ${tokenName(token)}; list it in the module's own \`@Module({ providers: [${typeof token === 'function' ? tokenName(token) : `{ provide: ${tokenName(token)}, useValue: ... }`}] })\`, pass it to the host (\`providers: [{ provide: ${tokenName(token)}, useValue: ... }]\`) or use ModuleApi, the config class or MODULE_CONFIG`;
      if (cause instanceof Error) why += ` (${cause.message.split('\n')[0]})`;
    }
    return new ModhostError(ErrorCode.INJECTION_FAILED, `${where}: ${why}`, { cause });
  },
  constructorFailed: (moduleName: string, className: string, cause: unknown) =>
    new ModhostError(
      ErrorCode.MODULE_CONSTRUCTOR_FAILED,
      `module "${moduleName}" (class ${className}) failed in its constructor: ${describe(cause)}`,
      { cause },
    ),
  hookFailed: (moduleName: string, hook: string, cause: unknown) =>
    new ModhostError(
      ErrorCode.MODULE_START_FAILED,
      `module "${moduleName}" failed in ${hook}(): ${describe(cause)}`,
      { cause },
    ),
};

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
