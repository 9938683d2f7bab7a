/**
 * Opt-in: make the global `Response.json(...)` return modhost's cheap response instead of a full
 * undici Response. In Node 20 undici builds a web stream for every Response, which costs ~30 µs:
 * more than the rest of a small request. The returned object is a Response (`instanceof`, every
 * member and undici's internal slots forwarded to a real Response built on first use), so code
 * that reads it behaves as before. It changes a global, so only the owner of the process should
 * call it (`modhost serve`), as `@hono/node-server` replaces the global Response by default.
 */
import { jsonResponse } from './responses.js';

const marker = Symbol.for('modhost.fastResponseJson');

type JsonStatic = (data: unknown, init?: ResponseInit) => Response;

/** Installs the fast `Response.json`; returns a function restoring the original. Idempotent. */
export function installFastResponseJson(): () => void {
  const current = Response.json as JsonStatic & { [marker]?: JsonStatic };
  if (current[marker] !== undefined) return () => undefined;
  const original = current;
  const fast = function json(data: unknown, init?: ResponseInit): Response {
    return jsonResponse(data, init);
  } as JsonStatic & { [marker]?: JsonStatic };
  fast[marker] = original;
  Object.defineProperty(Response, 'json', {
    configurable: true,
    writable: true,
    enumerable: true,
    value: fast,
  });
  return () => {
    if (Response.json === fast)
      Object.defineProperty(Response, 'json', {
        configurable: true,
        writable: true,
        enumerable: true,
        value: original,
      });
  };
}
