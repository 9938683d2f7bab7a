/** Small HTTP helpers shared by the demo's routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { matrixError } from './matrix-error.js';

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
  });
  res.end(text);
}

/** Synapse's `request_info`: the user agent and the client's IP. */
export function requestInfo(req: IncomingMessage): [string, string][] {
  return [[String(req.headers['user-agent'] ?? ''), req.socket.remoteAddress ?? '']];
}
