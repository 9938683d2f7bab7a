/** `require` for the files in src/deps (see README.md there for why). */
import { createRequire } from 'node:module';

export const requireCjs = createRequire(import.meta.url);
