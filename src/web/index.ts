/** The web layer: registry, server, and the helpers handlers use. */
export { WebRegistry, HOST_ENDPOINTS, type WebMatch } from './registry.js';
export { WebServer, listenFailedError, type WebServerOptions } from './server.js';
export { parseRequestTarget, RequestProblem } from './request-target.js';
export { readJson, jsonResponse, textResponse, bytesResponse } from './json.js';
export { normalisePath } from './path.js';
export { installFastGlobals, installFastResponseJson } from './fast-globals.js';
export { ConnectionDrain, type DrainOptions } from './drain.js';
