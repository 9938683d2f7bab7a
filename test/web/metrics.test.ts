/** The metrics listener: a separate loopback server exposing HTTP and other registered metrics. */
import { expect } from 'chai';
import { Counter } from 'prom-client';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { startMetricsServer } from '../../src/metrics/server.js';
import { A, harness, send } from './helpers.js';

describe('metrics/startMetricsServer', () => {
  it('serves request metrics by resource, method and status, plus other registered metrics', async () => {
    const h = harness((r) => {
      r.register(A, '/_synapse/client/a/ok', () => Response.json({}), { methods: ['GET'] });
      r.register(A, '/_synapse/client/a/files', () => new Response('f'), { prefix: true });
    });
    const url = await h.listen();
    const other = new Counter({
      name: 'other_part_total',
      help: 'registered elsewhere',
      registers: [h.metrics],
    });
    other.inc(3);
    const { logger } = createCapturingLogger();
    const metrics = await startMetricsServer(h.metrics, { bind: '127.0.0.1', port: 0 }, logger);
    try {
      expect(metrics.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(new URL(metrics.url).port).not.to.equal(new URL(url).port);
      await send(url, 'GET', '/_synapse/client/a/ok');
      await send(url, 'GET', '/_synapse/client/a/ok');
      await send(url, 'POST', '/_synapse/client/a/files/x/y');
      await send(url, 'GET', '/missing/1');
      await send(url, 'GET', '/missing/2');
      await h.server.fetch(new Request('http://x/_synapse/client/a/ok'));
      await send(url, 'DELETE', '/_synapse/client/a/ok');
      await send(url, 'GET', '/health');
      const res = await fetch(metrics.url);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.include('text/plain');
      const text = await res.text();
      expect(text).to.include(
        'modhost_http_requests_total{resource="/_synapse/client/a/ok",method="GET",status="200"} 3',
      );
      expect(text).to.include(
        'modhost_http_requests_total{resource="/_synapse/client/a/files",method="POST",status="200"} 1',
      );
      expect(text).to.include(
        'modhost_http_requests_total{resource="(unmatched)",method="GET",status="404"} 2',
      );
      expect(text).to.include(
        'modhost_http_requests_total{resource="/_synapse/client/a/ok",method="DELETE",status="405"} 1',
      );
      expect(text).to.include(
        'modhost_http_requests_total{resource="/health",method="GET",status="200"} 1',
      );
      expect(text).to.match(
        /modhost_http_request_duration_seconds_count\{resource="\/_synapse\/client\/a\/ok",method="GET",status="200"\} 3/,
      );
      expect(text).to.include('le="+Inf"');
      expect(text).to.include('other_part_total 3');
      expect((await fetch(metrics.url.replace('/metrics', '/other'))).status).to.equal(404);
      expect((await fetch(metrics.url, { method: 'POST' })).status).to.equal(405);
      // The public listener does not expose metrics.
      expect((await send(url, 'GET', '/metrics')).status).to.equal(404);
    } finally {
      await metrics.close();
      await h.close();
    }
  });

  it('fails with LISTEN_FAILED naming metrics.port when the port is taken', async () => {
    const { logger } = createCapturingLogger();
    const h = harness(() => undefined);
    const first = await startMetricsServer(h.metrics, { bind: '127.0.0.1', port: 0 }, logger);
    try {
      const port = Number(new URL(first.url).port);
      await startMetricsServer(h.metrics, { bind: '127.0.0.1', port }, logger).then(
        () => expect.fail('expected a listen error'),
        (err: Error & { code: string }) => {
          expect(err.code).to.equal('MODHOST_LISTEN_FAILED');
          expect(err.message).to.include('metrics.port').and.include(String(port));
        },
      );
    } finally {
      await first.close();
    }
  });
});
