/**
 * Every message the web layer produces: registration errors (thrown at startup, naming the module
 * and the path and saying the fix), duplicate warnings, and the JSON bodies of HTTP errors.
 */
const MODULE_PATH_HINT = 'Modules should serve their resources below /_synapse/client/<module>/.';

export function webPathInvalid(module: string, path: unknown, problem: string): string {
  const shown = typeof path === 'string' ? JSON.stringify(path) : String(path);
  return `Module "${module}" registered the web resource path ${shown}, which ${problem}.`;
}

export function webPathReserved(module: string, path: string, reserved: string): string {
  return (
    `Module "${module}" registered the web resource path "${path}", which is under the ` +
    `reserved prefix "${reserved}" (reserved for the host; it would never be served). ` +
    `Choose another path. ${MODULE_PATH_HINT} ` +
    `Reserved prefixes are set by server.reserved_prefixes.`
  );
}

export function webRegistrationClosed(module: string, path: string): string {
  return (
    `Module "${module}" registered the web resource "${path}" after the host started. ` +
    `Web resources can only be registered while the module is being constructed ` +
    `(in its constructor, or with @WebResource).`
  );
}

export function webHandlerInvalid(module: string, path: string, problem: string): string {
  return (
    `Module "${module}" registered an invalid handler for the web resource "${path}": ${problem}. ` +
    `A handler is a function (request, context) => Response, or an object with one such ` +
    `function per upper-case HTTP method, e.g. { GET(request) {...}, POST(request) {...} }.`
  );
}

export function webDuplicatePath(path: string, winner: string, loser: string): string {
  return (
    `Web resource "${path}" of module "${loser}" is ignored: module "${winner}" registered ` +
    `it first (the first module in config order wins).`
  );
}

export function webRouteConflict(
  path: string,
  module: string,
  otherPath: string,
  otherModule: string,
): string {
  const same = path === otherPath ? 'the same pattern' : `"${otherPath}"`;
  return (
    `Module "${module}" registered the web resource "${path}", which overlaps ${same} of ` +
    `module "${otherModule}": some request paths would match both, so which module serves them ` +
    `would depend on load order. Make one of them distinct by a static segment, or register the ` +
    `special path as an exact resource (exact paths are matched before parameter routes).`
  );
}

export function webBadJson(problem: string): string {
  return `Request body is not valid JSON: ${problem}`;
}

export const WEB_EMPTY_JSON_BODY = 'Request body is empty; expected a JSON value';

export function webBodyTooLarge(limit: number): string {
  return `Request body is larger than the limit of ${limit} bytes (server.max_request_size)`;
}

export function webHandlerFailed(method: string, path: string): string {
  return `Web resource handler for ${method} ${path} failed`;
}

export function webHandlerBadResult(method: string, path: string, got: string): string {
  return `Web resource handler for ${method} ${path} returned ${got} instead of a Response`;
}

export function webHandlerUnsendable(method: string, path: string, problem: string): string {
  return `Web resource handler for ${method} ${path} returned a Response that cannot be sent: ${problem}`;
}

export function webResponseWriteFailed(method: string, path: string): string {
  return `Could not send the response of the web resource handler for ${method} ${path}`;
}

export function webResponseStreamFailed(method: string, path: string): string {
  return (
    `The response body stream of the web resource handler for ${method} ${path} failed after ` +
    `the headers were sent; the connection was closed`
  );
}

export function webHandlerTimedOut(method: string, path: string, ms: number): string {
  return (
    `Web resource handler for ${method} ${path} did not answer within ${ms} ms ` +
    `(server.handler_timeout); answered 503 and aborted request.signal`
  );
}

/**
 * Binding an HTTP listener failed; `settings` names where the address came from (for the
 * host, `server.bind / server.port`; an embedding application names its own flags).
 */
export function webListenFailed(
  bind: string,
  port: number,
  err: NodeJS.ErrnoException,
  settings = 'server.bind / server.port',
): string {
  return (
    `Cannot listen on ${bind}:${port} (${settings}): ${err.code ?? ''} ${err.message}. ` +
    (err.code === 'EADDRINUSE'
      ? 'Another process uses this port; choose another, or 0 for an ephemeral one.'
      : 'Check the address is local to this machine.')
  );
}

export const WEB_CLIENT_CLOSED_UPLOAD =
  'Client closed the connection before sending the whole request body';

export function webClientClosed(method: string, path: string): string {
  return `Client closed the connection during ${method} ${path}; nothing to answer`;
}

/** The JSON bodies of the HTTP errors the server itself produces (Matrix style errcodes). */
export const HttpErrors = {
  notFound: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request: no resource at this path' },
  methodNotAllowed: { errcode: 'M_UNRECOGNIZED', error: 'Method not allowed on this resource' },
  badPath: {
    errcode: 'M_UNRECOGNIZED',
    error: 'Malformed request path: invalid percent-encoding or forbidden character',
  },
  asteriskForm: {
    errcode: 'M_UNRECOGNIZED',
    error: 'Request target "*" (asterisk-form) is only valid with OPTIONS',
  },
  badTarget: {
    errcode: 'M_UNRECOGNIZED',
    error: 'Malformed request target: expected an absolute path such as /foo',
  },
  badHost: {
    errcode: 'M_UNRECOGNIZED',
    error: 'Malformed Host header: expected a host name or IP address with an optional port',
  },
  duplicateHost: { errcode: 'M_UNRECOGNIZED', error: 'More than one Host header' },
  methodNotImplemented: (method: string) => ({
    errcode: 'M_UNRECOGNIZED',
    error: `Method ${method} is not supported by this server`,
  }),
  handlerTimeout: {
    errcode: 'M_UNKNOWN',
    error: 'The resource did not answer in time (server.handler_timeout)',
  },
  clientClosed: { errcode: 'M_UNKNOWN', error: 'Client closed the connection' },
  tooLarge: (limit: number) => ({ errcode: 'M_TOO_LARGE', error: webBodyTooLarge(limit) }),
  notJson: (message: string) => ({ errcode: 'M_NOT_JSON', error: message }),
  internal: { errcode: 'M_UNKNOWN', error: 'Internal server error' },
  unavailable: { errcode: 'M_UNKNOWN', error: 'Server is shutting down' },
} as const;
