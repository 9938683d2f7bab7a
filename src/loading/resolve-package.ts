/**
 * Finds a package's ESM entry from a directory (the YAML file's), so `package#Class` resolves
 * where the config lives rather than where modhost is installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function exportTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    const conditions = entry as Record<string, unknown>;
    for (const c of ['import', 'node', 'default']) {
      const t = exportTarget(conditions[c]);
      if (t) return t;
    }
  }
  return undefined;
}

function splitName(name: string): { pkg: string; sub: string } {
  const parts = name.split('/');
  const n = name.startsWith('@') ? 2 : 1;
  return { pkg: parts.slice(0, n).join('/'), sub: parts.slice(n).join('/') };
}

/** The absolute file of `name`'s entry as seen from `fromDir`, or undefined when not installed. */
export function resolvePackage(name: string, fromDir: string): string | undefined {
  const { pkg, sub } = splitName(name);
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const root = path.join(dir, 'node_modules', pkg);
    const manifest = path.join(root, 'package.json');
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as {
        exports?: unknown;
        main?: string;
      };
      const key = sub ? `./${sub}` : '.';
      const exp = json.exports;
      const entry =
        exp &&
        typeof exp === 'object' &&
        !Array.isArray(exp) &&
        Object.keys(exp)[0]?.startsWith('.')
          ? (exp as Record<string, unknown>)[key]
          : key === '.'
            ? exp
            : undefined;
      const target = exportTarget(entry) ?? (sub ? sub : (json.main ?? 'index.js'));
      return path.resolve(root, target);
    }
    if (path.dirname(dir) === dir) break;
  }
  // Built-in resolution as a last resort (e.g. a package linked in an unusual place).
  try {
    return createRequire(path.join(fromDir, 'noop.js')).resolve(name);
  } catch {
    return undefined;
  }
}
