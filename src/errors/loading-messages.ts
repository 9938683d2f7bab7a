/** Messages for loading module classes from specs and scanning their decorators. */
import type { DecoratorMisuse } from '../../decorators/metadata.js';
import { ErrorCode } from './codes.js';
import { ModhostError } from './modhost-error.js';
import { didYouMean } from './suggest.js';

export const loadingErrors = {
  fileNotFound: (file: string, spec: string, baseDir: string) =>
    new ModhostError(
      ErrorCode.MODULE_NOT_FOUND,
      `module file not found: ${file} (from "${spec}", relative to ${baseDir}); check the path and that the module was built (specs name the compiled .js file)`,
    ),
  packageNotFound: (pkg: string, baseDir: string) =>
    new ModhostError(
      ErrorCode.MODULE_NOT_FOUND,
      `package "${pkg}" not found from ${baseDir}; install it (npm install ${pkg}) or use a relative path such as ./modules/x.js#Class`,
    ),
  importFailed: (target: string, cause: unknown) =>
    new ModhostError(
      ErrorCode.MODULE_IMPORT_FAILED,
      `importing ${target} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    ),
  exportMissing: (target: string, exportName: string, available: readonly string[]) =>
    new ModhostError(
      ErrorCode.MODULE_EXPORT_MISSING,
      `${target} has no export named "${exportName}"${didYouMean(exportName, available)}; it exports: ${available.length ? available.join(', ') : '(nothing)'}`,
    ),
  noModuleExport: (target: string) =>
    new ModhostError(
      ErrorCode.MODULE_NOT_DECORATED,
      `${target} has no default export and no @Module class among its exports; name the class: "${target}#ClassName"`,
    ),
  ambiguous: (target: string, names: readonly string[]) =>
    new ModhostError(
      ErrorCode.MODULE_AMBIGUOUS,
      `${target} exports several @Module classes (${names.join(', ')}); name one: "${target}#${names[0]}"`,
    ),
  notAModule: (what: string, value: unknown) =>
    new ModhostError(
      ErrorCode.MODULE_NOT_DECORATED,
      typeof value === 'function'
        ? `${what} is not a @Module class: add @Module() from 'modhost/decorators' to class ${(value as Function).name || '(anonymous)'}`
        : `${what} is not a class (got ${value === null ? 'null' : typeof value}); a module is a class decorated with @Module()`,
    ),
  badSpec: (spec: string) =>
    new ModhostError(
      ErrorCode.MODULE_NOT_FOUND,
      `"${spec}" is not a module spec; use ./relative/file.js#ClassName, /absolute/file.js#ClassName, package#ClassName or package`,
    ),
  decoratorMisuse: (className: string, misuses: readonly DecoratorMisuse[]) =>
    new ModhostError(
      ErrorCode.DECORATOR_MISUSE,
      misuses
        .map(
          (m) =>
            `${m.decorator} on ${className}${m.member !== undefined ? `.${String(m.member)}` : ''}: ${m.problem}`,
        )
        .join('\n'),
    ),
  noDecoratorMetadata: (className: string, moduleName: string) =>
    new ModhostError(
      ErrorCode.NO_DECORATOR_METADATA,
      `module "${moduleName}" (class ${className}) has constructor parameters but no decorator metadata to inject them by type. ` +
        `Compile it with tsc and "emitDecoratorMetadata": true plus "experimentalDecorators": true in tsconfig.json ` +
        `(tsx and esbuild do not emit this metadata; swc does with decoratorMetadata enabled).`,
    ),
  incompatibleCopy: (
    moduleName: string,
    className: string,
    brand: string,
    copies: Record<'host' | 'module', { root: string; version: string }>,
  ) =>
    new ModhostError(
      ErrorCode.INCOMPATIBLE_MODHOST_COPY,
      `module "${moduleName}" (class ${className}) takes ${brand} from another installation of modhost, ` +
        `${copies.module.root} (version ${copies.module.version}), while the host runs ${copies.host.root} ` +
        `(version ${copies.host.version}); these versions are not compatible. Declare modhost as a ` +
        `peerDependency of the module package (and a devDependency for its own tests), then reinstall ` +
        `so it uses the host's copy (npm dedupe; with npm link or file:, remove the module's node_modules/modhost).`,
    ),
  duplicateName: (name: string, first: number, second: number) =>
    new ModhostError(
      ErrorCode.MODULE_DUPLICATE_NAME,
      `two modules are named "${name}" (modules[${first}] and modules[${second}]); give one another name with @Module({ name })`,
    ),
};
