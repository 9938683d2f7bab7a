/** pino, loaded when the first real logger is made (a `modhost check` that logs nothing never is). */
import type * as Pino from 'pino';
import { requireCjs } from './cjs.js';

let loaded: typeof Pino.pino | undefined;

export function pino(): typeof Pino.pino {
  return (loaded ??= (requireCjs('pino') as typeof Pino).pino);
}
