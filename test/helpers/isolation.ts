/**
 * Runs module-facing suites in both isolation modes: a module entry is the class itself in
 * process, and its compiled file's spec with `isolation: worker` (a worker imports it itself).
 */
import path from 'node:path';
import type { Class } from '../../decorators/metadata.js';
import type { ModuleEntryOptions } from '../../src/host/host-options.js';
import { repoRoot } from './paths.js';

export const ISOLATION_MODES = ['in-process', 'worker'] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];

/** `cls` (compiled from `source`, e.g. 'samples/modules/hello.ts') as an entry for `mode`. */
export function moduleEntry(
  mode: IsolationMode,
  cls: Class,
  source: string,
  extra: Omit<ModuleEntryOptions, 'module'> = {},
): ModuleEntryOptions {
  if (mode === 'in-process') return { module: cls, ...extra };
  const file = path.join(repoRoot, 'dist', source.replace(/\.ts$/, '.js'));
  return { module: `${file}#${cls.name}`, isolation: 'worker', ...extra };
}
