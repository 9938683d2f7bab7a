/**
 * Hands a Node request to the module host as a Fetch Request and writes its Response back.
 * The demo's own routes never pay for this; only requests for module web resources do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModuleHost } from 'modhost';

export async function forwardToHost(
  host: ModuleHost,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? 'GET';
  let body: Uint8Array | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    body = Buffer.concat(chunks);
  }
  const response = await host.fetch(
    new Request(url, { method, headers, body: body as BodyInit | undefined }),
  );
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => (out[name] = value));
  const bytes = Buffer.from(await response.arrayBuffer());
  if (method !== 'HEAD') out['content-length'] = String(bytes.length);
  res.writeHead(response.status, out);
  res.end(method === 'HEAD' ? undefined : bytes);
}
