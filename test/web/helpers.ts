/** Shared test setup: a registry and a real server on loopback, plus raw-HTTP helpers. */
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { ModhostError } from '../../src/errors/index.js';
import { connect, type Socket } from 'node:net';
import type { ServerConfig } from '../../src/config/types.js';
import { createCapturingLogger, type LogRecord } from '../../src/logging/logger.js';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/metrics/registry.js';
import { WebRegistry } from '../../src/web/registry.js';
import { WebServer } from '../../src/web/server.js';

/** The ModhostError `fn` throws (fails the test when it throws nothing or something else). */
export function thrown(fn: () => void): ModhostError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ModhostError);
    return err as ModhostError;
  }
  expect.fail('expected an error');
}

export const A = { name: 'a', index: 0 };
export const B = { name: 'b', index: 1 };

export const DEFAULT_RESERVED = [
  '/_matrix/client',
  '/_matrix/federation',
  '/_matrix/key',
  '/_matrix/media',
  '/_synapse/admin',
  '/_synapse/replication',
];

export function serverConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    bind: '127.0.0.1',
    port: 0,
    listen: true,
    public_baseurl: 'http://localhost/',
    max_request_size: 1024,
    headers_timeout: 60_000,
    request_timeout: 120_000,
    keep_alive_timeout: 5_000,
    drain_timeout: 10_000,
    handler_timeout: 30_000,
    reserved_prefixes: DEFAULT_RESERVED,
    fast_globals: true,
    ...overrides,
  };
}

export interface Harness {
  registry: WebRegistry;
  server: WebServer;
  records: LogRecord[];
  metrics: MetricsRegistry;
  /** Set by `listen()`. */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** A registry (call `setup` to register, then it is closed) and a server over it. */
export function harness(
  setup: (registry: WebRegistry) => void,
  overrides: Partial<ServerConfig> = {},
): Harness {
  const { logger, records } = createCapturingLogger();
  const config = serverConfig(overrides);
  const registry = new WebRegistry({ reservedPrefixes: config.reserved_prefixes, logger });
  setup(registry);
  registry.close();
  const metrics = createMetricsRegistry();
  const server = new WebServer(registry, { server: config, logger, metrics });
  const h: Harness = {
    registry,
    server,
    records,
    metrics,
    url: '',
    async listen() {
      h.url = await server.listen();
      return h.url;
    },
    close: () => server.close(),
  };
  return h;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends a request with `path` exactly as given (no URL normalisation, unlike fetch), on a
 * fresh connection.
 */
export function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a raw TCP connection to the server. */
export function rawSocket(baseUrl: string): Promise<Socket> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends on `socket` until it closes the connection. */
export function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

/** A promise with its resolver, to hold handlers open. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
