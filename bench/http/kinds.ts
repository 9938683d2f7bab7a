/**
 * Every way a handler answers, as one bench line each: the modhost handler, and what a raw
 * `node:http` handler and a fastify route send for it (the same status, headers and bytes,
 * built per request as the handler builds its response). Paths are shared by every server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { jsonResponse, readJson, textResponse } from '../../src/web/json.js';
import { BENCH_BODY } from './body.js';

export const TEXT = 'Hello from a module web resource, served as plain text.';
const TEXT_TYPE = 'text/plain;charset=UTF-8';
/** 1 KB of JSON, the body-read lines' upload. */
export const UPLOAD_BODY = (() => {
  const base = { user_id: '@alice:example.org', items: [] as unknown[], pad: '' };
  for (let i = 0; JSON.stringify(base).length < 900; i++) base.items.push({ id: i, ok: true });
  base.pad = 'x'.repeat(1024 - JSON.stringify(base).length);
  return JSON.stringify(base);
})();

export interface Kind {
  name: string;
  path: string;
  method: 'GET' | 'POST';
  modhost(request: Request): Response | Promise<Response>;
  raw(req: IncomingMessage, res: ServerResponse): void;
  /** Returns what fastify's `reply.send` gets, after setting status and headers on `reply`. */
  fastify(request: { body: unknown }, reply: FastifyReplyLike): unknown;
}

export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
}

const bytes = () => new TextEncoder().encode(TEXT);
const blob = () => new Blob([TEXT], { type: 'text/plain' });
const stream = () =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes());
      c.close();
    },
  });

function rawSend(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body?: string | Uint8Array,
): void {
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
}

function bodyRead(name: string, read: (r: Request) => Promise<unknown>): Kind {
  return {
    name: `POST 1 KB JSON, ${name}`,
    path: `/_synapse/client/bench/read-${name.replace(/\W+/g, '-')}`,
    method: 'POST',
    async modhost(request) {
      const value = await read(request);
      return jsonResponse({ got: typeof value === 'object' ? 'object' : typeof value });
    },
    raw(req, res) {
      void readRaw(req).then((buf) => {
        const value = JSON.parse(buf.toString('utf8')) as unknown;
        const body = JSON.stringify({ got: typeof value === 'object' ? 'object' : typeof value });
        rawSend(res, 200, { 'content-type': 'application/json' }, body);
      });
    },
    fastify(request, reply) {
      reply.header('content-type', 'application/json');
      const value = request.body;
      return JSON.stringify({ got: typeof value === 'object' ? 'object' : typeof value });
    },
  };
}

function get(
  name: string,
  slug: string,
  modhost: () => Response,
  status: number,
  headers: () => Record<string, string>,
  body: () => string | Uint8Array | undefined,
): Kind {
  return {
    name,
    path: `/_synapse/client/bench/${slug}`,
    method: 'GET',
    modhost,
    raw(_req, res) {
      rawSend(res, status, headers(), body());
    },
    fastify(_request, reply) {
      reply.code(status);
      for (const [k, v] of Object.entries(headers())) reply.header(k, v);
      return body() ?? '';
    },
  };
}

export const KINDS: Kind[] = [
  get(
    'new Response(string)',
    'text',
    () => new Response(TEXT),
    200,
    () => ({ 'content-type': TEXT_TYPE }),
    () => TEXT,
  ),
  get(
    'new Response(string, { headers: record })',
    'text-record',
    () => new Response(TEXT, { status: 200, headers: { 'cache-control': 'no-store', 'x-a': '1' } }),
    200,
    () => ({ 'cache-control': 'no-store', 'x-a': '1', 'content-type': TEXT_TYPE }),
    () => TEXT,
  ),
  get(
    'new Response(string, { headers: Headers })',
    'text-headers',
    () => new Response(TEXT, { headers: new Headers({ 'cache-control': 'no-store' }) }),
    200,
    () => ({ 'cache-control': 'no-store', 'content-type': TEXT_TYPE }),
    () => TEXT,
  ),
  get(
    'new Response(Uint8Array)',
    'bytes',
    () => new Response(bytes()),
    200,
    () => ({}),
    bytes,
  ),
  get(
    'new Response(ArrayBuffer)',
    'arraybuffer',
    () => new Response(bytes().buffer),
    200,
    () => ({}),
    bytes,
  ),
  {
    // The baselines get the same Blob and read it, as any server sending a Blob must.
    ...get(
      'new Response(Blob)',
      'blob',
      () => new Response(blob()),
      200,
      () => ({ 'content-type': 'text/plain' }),
      () => TEXT,
    ),
    raw(_req, res) {
      void blob()
        .arrayBuffer()
        .then((ab) => rawSend(res, 200, { 'content-type': 'text/plain' }, new Uint8Array(ab)));
    },
    async fastify(_request, reply) {
      reply.header('content-type', 'text/plain');
      return Buffer.from(await blob().arrayBuffer());
    },
  },
  get(
    'new Response(URLSearchParams)',
    'form',
    () => new Response(new URLSearchParams({ a: '1', text: TEXT })),
    200,
    () => ({ 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }),
    () => new URLSearchParams({ a: '1', text: TEXT }).toString(),
  ),
  {
    // The baselines get the same web stream and send what they read from it.
    ...get(
      'new Response(ReadableStream)',
      'stream',
      () => new Response(stream()),
      200,
      () => ({}),
      bytes,
    ),
    raw(_req, res) {
      void (async () => {
        const reader = stream().getReader();
        res.writeHead(200);
        for (let r = await reader.read(); !r.done; r = await reader.read()) res.write(r.value);
        res.end();
      })();
    },
    fastify(_request, _reply) {
      return Readable.fromWeb(stream() as never);
    },
  },
  get(
    'new Response(null, 204)',
    'empty',
    () => new Response(null, { status: 204 }),
    204,
    () => ({}),
    () => undefined,
  ),
  get(
    'Response.json',
    'json',
    () => Response.json(BENCH_BODY),
    200,
    () => ({ 'content-type': 'application/json' }),
    () => JSON.stringify(BENCH_BODY),
  ),
  get(
    'Response.redirect',
    'redirect',
    () => Response.redirect('https://example.org/next', 302),
    302,
    () => ({ location: 'https://example.org/next' }),
    () => undefined,
  ),
  get(
    'jsonResponse (helper)',
    'json-helper',
    () => jsonResponse(BENCH_BODY),
    200,
    () => ({ 'content-type': 'application/json' }),
    () => JSON.stringify(BENCH_BODY),
  ),
  get(
    'textResponse (helper)',
    'text-helper',
    () => textResponse(TEXT),
    200,
    () => ({ 'content-type': 'text/plain; charset=utf-8' }),
    () => TEXT,
  ),
  bodyRead('request.json()', (r) => r.json()),
  bodyRead('request.text()', (r) => r.text().then((t) => JSON.parse(t) as unknown)),
  bodyRead('request.arrayBuffer()', (r) =>
    r.arrayBuffer().then((b) => JSON.parse(Buffer.from(b).toString('utf8')) as unknown),
  ),
  bodyRead('readJson', (r) => readJson(r)),
];
