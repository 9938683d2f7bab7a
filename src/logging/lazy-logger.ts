/**
 * A logger that becomes a pino logger only when it first has something to write. Loading pino
 * (and its dozen files) is a visible share of a `modhost check`, whose logger only passes
 * warnings and errors, usually none. Until then the level methods below the threshold are
 * no-ops, `child()` makes another deferred logger, and `level` / `isLevelEnabled` answer from the
 * level kept here; anything else (a record that passes, `flush`, `bindings`…) makes the real
 * logger (and the real children on the way) and hands over to it, so what is written is exactly
 * what pino writes.
 */
import type { Logger } from './logger.js';

/** pino's default levels; anything else (a custom level) makes the real logger at once. */
const LEVEL_VALUES: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

const noop = (): void => undefined;

export function lazyLogger(make: () => Logger, level: string): Logger {
  if (LEVEL_VALUES[level] === undefined) return make();
  let real: Logger | undefined;
  let current = level;
  const materialise = (): Logger => {
    if (real === undefined) {
      real = make();
      real.level = current;
    }
    return real;
  };
  const threshold = () => LEVEL_VALUES[current]!;
  const facade: Record<PropertyKey, unknown> = Object.create(null);
  return new Proxy(facade, {
    get(_target, key) {
      if (real !== undefined) {
        const value = (real as unknown as Record<PropertyKey, unknown>)[key];
        return typeof value === 'function' ? (value as () => unknown).bind(real) : value;
      }
      if (key === 'level') return current;
      if (key === 'isLevelEnabled')
        return (name: string) => (LEVEL_VALUES[name] ?? -Infinity) >= threshold();
      if (key === 'child')
        return (bindings: Record<string, unknown>, options?: { level?: string }) =>
          lazyLogger(() => materialise().child(bindings, options), options?.level ?? current);
      if (typeof key === 'string' && key !== 'silent' && LEVEL_VALUES[key] !== undefined) {
        if (LEVEL_VALUES[key] < threshold()) return noop;
      } else if (key === 'silent') return noop;
      const value = (materialise() as unknown as Record<PropertyKey, unknown>)[key];
      return typeof value === 'function' ? (value as () => unknown).bind(real) : value;
    },
    set(_target, key, value) {
      if (real === undefined && key === 'level' && LEVEL_VALUES[value as string] !== undefined) {
        current = value as string;
        return true;
      }
      (materialise() as unknown as Record<PropertyKey, unknown>)[key] = value;
      return true;
    },
    has(_target, key) {
      return key in materialise();
    },
  }) as unknown as Logger;
}
