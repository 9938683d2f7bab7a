/** Small HTTP helpers shared by the demo's routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRequestTarget, RequestProblem } from 'modhost';
import { matrixError } from './matrix-error.js';

/**
 * The URL to route on, by the module host's own rules (`parseRequestTarget`): a bad Host,
 * TRACE or a malformed target is a RequestProblem to answer (4xx/501), and the path is the
 * decoded, normalised one, so `//x/_matrix/client/v3/login` or `/_matrix/%2e%2e/...` reach
 * only what their plain spelling reaches. Segments are re-encoded: routes decode them once.
 */
export function requestUrl(req: IncomingMessage): URL | RequestProblem {
  const target = parseRequestTarget(req);
  if (target instanceof RequestProblem) return target;
  const encoded = target.path.split('/').map(encodeURIComponent).join('/');
  return new URL(`${encoded}${target.search}`, 'http://demo.invalid');
}

/** The declared Content-Length, when it is a plain number. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The access token from `Authorization: Bearer` or `?access_token=`. */
export function accessToken(
  authorization: string | null | undefined,
  url: URL,
): string | undefined {
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim();
  return url.searchParams.get('access_token') ?? undefined;
}

const MAX_BODY = 1024 * 1024;

/** Reads a JSON object body (an empty body is `{}`); 400 M_NOT_JSON otherwise. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, any>> {
  // Refused before reading: the connection is closed after the answer (see sendJson).
  if ((declaredLength(req) ?? 0) > MAX_BODY)
    throw matrixError(413, 'M_TOO_LARGE', 'Request body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw matrixError(413, 'M_TOO_LARGE', 'Request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw matrixError(400, 'M_NOT_JSON', 'Content not JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw matrixError(400, 'M_BAD_JSON', 'The body must be a JSON object');
  return value as Record<string, any>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // A final newline keeps curl sessions readable.
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(closeAfter(res) ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/**
 * Whether the connection must close after this answer: a request body still arriving (unread,
 * or refused as too large) would otherwise be read to its end, however long, before the
 * connection could serve another request.
 */
export function closeAfter(res: ServerResponse): boolean {
  return res.req !== undefined && !res.req.complete;
}

/** Synapse's `request_info`: the user agent and the client's IP. */
export function requestInfo(req: IncomingMessage): [string, string][] {
  return [[String(req.headers['user-agent'] ?? ''), req.socket.remoteAddress ?? '']];
}
