/**
 * #11.4: SIGTERM under a keep-alive load of 50 connections loses nothing. Every request the
 * server accepted is answered (answers during the drain carry `Connection: close`), idle
 * keep-alive connections are closed without dropping a request already on its way, clients
 * then find the port closed, and `modhost serve` exits 0 within `drain_timeout`.
 */
import { expectCleanSigterm } from './keepalive-load.js';
import { ServeProcess } from './serve-process.js';

describe('faults: SIGTERM under keep-alive load', function () {
  this.timeout(90_000);

  it('answers every accepted request (0 resets, 0 failures) and exits 0', async () => {
    const serve = await ServeProcess.start('test/faults/fixtures/ping.yaml');
    try {
      await expectCleanSigterm(serve, '/_synapse/client/ping', 'modhost serve', 3000);
    } finally {
      serve.kill();
    }
  });
});
