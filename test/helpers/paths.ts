import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/helpers/paths.js. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** A file under test/fixtures in the source tree (YAML, plain JS, packages). */
export const sourceFixture = (...parts: string[]): string =>
  path.join(repoRoot, 'test/fixtures', ...parts);
/** A compiled fixture under dist/test/fixtures. */
export const builtFixture = (...parts: string[]): string =>
  path.join(repoRoot, 'dist/test/fixtures', ...parts);
