/**
 * The Prometheus metrics listener: a separate HTTP server (loopback by default, `metrics:` in the
 * config) that serves the host's registry at `/metrics`, so metrics never share the public port.
 */
import type { AddressInfo } from 'node:net';
import type { MetricsConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { ErrorCode, ModhostError } from '../errors/index.js';
import type { MetricsRegistry } from './registry.js';
import { nodeHttp } from '../deps/node-http.js';

export function startMetricsServer(
  registry: MetricsRegistry,
  config: MetricsConfig,
  logger: Logger,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = nodeHttp().createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found: metrics are served at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, {
          'content-type': registry.contentType,
          'content-length': Buffer.byteLength(text),
        });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        logger.error({ err }, 'Could not collect metrics');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Could not collect metrics\n');
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ModhostError(
          ErrorCode.LISTEN_FAILED,
          `Cannot listen for metrics on ${config.bind}:${config.port} (metrics.bind / metrics.port): ${err.message}. ` +
            'Choose a free port, or 0 for an ephemeral one.',
          { cause: err },
        ),
      ),
    );
    server.listen(config.port, config.bind, () => {
      const address = server.address() as AddressInfo;
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      const url = `http://${host}:${address.port}/metrics`;
      logger.info({ url }, `Serving metrics on ${url}`);
      resolve({
        url,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
