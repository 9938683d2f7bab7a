import { ownerClass, type WebResourceOptions, writeWebResource } from './metadata.js';
import { checkInstanceMethod, describeType, misuse } from './checks.js';
import type { WebRequestContext } from '../src/api/services.js';
import type { RouteParams } from '../src/web/route-pattern.js';

const HTTP_METHOD = /^[A-Z]+$/;

/**
 * A method that can serve `P`: its context's `params` are typed from the path string, so
 * `(request: Request, context: WebRequestContext<RouteParams<'/rooms/:room_id'>>)` reads
 * `context.params.room_id`, and a misspelt name is a compile error.
 */
export type WebResourceMethod<P extends string> = (
  request: Request,
  context: WebRequestContext<RouteParams<P>>,
) => unknown;

/**
 * Serves the decorated method, a Fetch-style handler, at `path` (or below it with `prefix`).
 * `:name` segments are parameters, their decoded values in `context.params.name`.
 */
export function WebResource<const P extends string>(
  path: P,
  options: WebResourceOptions = {},
): <T extends WebResourceMethod<P>>(
  target: object,
  member: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
) => void {
  return (target, member, descriptor) => {
    const where = { decorator: '@WebResource', member };
    if (!checkInstanceMethod('@WebResource', target, member, descriptor)) return;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      misuse(target, {
        ...where,
        problem: `path must be an absolute path starting with "/", got ${typeof path === 'string' ? JSON.stringify(path) : describeType(path)}`,
      });
      return;
    }
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      misuse(target, {
        ...where,
        problem: `options must be an object, got ${describeType(options)}`,
      });
      return;
    }
    const { methods, prefix } = options;
    if (
      methods !== undefined &&
      (!Array.isArray(methods) ||
        !methods.every((m) => typeof m === 'string' && HTTP_METHOD.test(m)))
    ) {
      misuse(target, {
        ...where,
        problem: `options.methods must be an array of upper-case HTTP methods such as ['GET', 'POST'], got ${JSON.stringify(methods)}`,
      });
      return;
    }
    if (prefix !== undefined && typeof prefix !== 'boolean') {
      misuse(target, {
        ...where,
        problem: `options.prefix must be a boolean, got ${describeType(prefix)}`,
      });
      return;
    }
    writeWebResource(ownerClass(target), { path, options: { methods, prefix }, member });
  };
}
