/**
 * Injection tokens for what cannot be injected by its type, and what makes modhost's tokens and
 * classes recognisable across copies of the package.
 *
 * A module shipped as its own package may import a second installation of modhost (a `file:`
 * dependency, `npm link`, a monorepo). Its `ModuleApi` is then another class object than the
 * host's, and a container keyed by class would find nothing. Every class the host provides by
 * type is branded with a `Symbol.for` key (shared by every copy in the process), so the scanner
 * maps a foreign copy's class to this copy's one — when both installations are compatible
 * versions; otherwise loading fails with a message naming both installations and the fix.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadingErrors } from '../errors/loading-messages.js';

/** The module's parsed config when it has no config class (or the raw mapping as parsed). */
export const MODULE_CONFIG: unique symbol = Symbol.for('modhost:MODULE_CONFIG');
/** The module's pino logger (also at `api.logger`). */
export const MODULE_LOGGER: unique symbol = Symbol.for('modhost:MODULE_LOGGER');
/** The host's clock (fakeable in tests). */
export const CLOCK: unique symbol = Symbol.for('modhost:CLOCK');

/** Set on branded classes: their name among modhost's provided classes. */
const BRAND = Symbol.for('modhost:brand');
/** Set on branded classes: the root directory of the installation that defined them. */
const INSTALLATION = Symbol.for('modhost:installation');

/** This copy's root (dist/src/injection/tokens.js → the package directory). */
const OWN_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/[\\/]$/, '');

/** This copy's branded classes, by brand. */
const OWN = new Map<string, Function>();

type Branded = Function & { [BRAND]?: unknown; [INSTALLATION]?: unknown };

/** Makes `cls` recognisable by every copy of modhost as the class named `brand`. */
export function brandClass(cls: Function, brand: string): void {
  Object.defineProperty(cls, BRAND, { value: brand });
  Object.defineProperty(cls, INSTALLATION, { value: OWN_ROOT });
  OWN.set(brand, cls);
}

/**
 * `token` itself, or this copy's class when `token` is the same branded class from another
 * installation of modhost. Throws when that installation's version is incompatible with ours.
 * `owner` names the module for the message.
 */
export function canonicalToken<T>(token: T, owner: { module: string; className: string }): T {
  if (typeof token !== 'function') return token;
  const brand = (token as Branded)[BRAND];
  if (typeof brand !== 'string') return token;
  const own = OWN.get(brand);
  if (own === undefined || own === token) return token;
  const foreignRoot = String((token as Branded)[INSTALLATION]);
  const ours = versionAt(OWN_ROOT);
  const theirs = versionAt(foreignRoot);
  if (!compatible(ours, theirs))
    throw loadingErrors.incompatibleCopy(owner.module, owner.className, brand, {
      host: { root: OWN_ROOT, version: ours },
      module: { root: foreignRoot, version: theirs },
    });
  return own as T;
}

/**
 * A value every copy of modhost in the process shares (created by the first copy that asks):
 * for registries that must recognise objects made by another copy.
 */
export function sharedAcrossCopies<T>(name: string, create: () => T): T {
  const key = Symbol.for(`modhost:shared:${name}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  return (store[key] ??= create());
}

function versionAt(root: string): string {
  try {
    const json = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Same major version (same minor below 1.0), as semver's caret ranges. */
function compatible(a: string, b: string): boolean {
  const pa = /^(\d+)\.(\d+)\./.exec(a);
  const pb = /^(\d+)\.(\d+)\./.exec(b);
  if (!pa || !pb) return false;
  if (pa[1] !== pb[1]) return false;
  return pa[1] !== '0' || pa[2] === pb[2];
}
