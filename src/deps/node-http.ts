/**
 * `node:http`, loaded when a server is made rather than at import: from Node 22 on, loading it
 * also loads undici (tens of milliseconds), which `modhost check` and a host that never listens
 * must not pay (test/scale/lazy-imports.test.ts counts it on every major in CI).
 */
export function nodeHttp(): typeof import('node:http') {
  return process.getBuiltinModule('node:http');
}
