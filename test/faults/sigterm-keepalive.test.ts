/**
 * #11.4: SIGTERM under a keep-alive load of 50 connections loses nothing. Every request the
 * server accepted is answered (answers during the drain carry `Connection: close`), idle
 * keep-alive connections are closed without dropping a request already on its way, clients
 * then find the port closed, and `modhost serve` exits 0 within `drain_timeout`.
 */
import { expect } from 'chai';
import { keepAliveLoad } from './keepalive-load.js';
import { ServeProcess } from './serve-process.js';

describe('faults: SIGTERM under keep-alive load', function () {
  this.timeout(90_000);

  it('answers every accepted request (0 resets, 0 failures) and exits 0', async () => {
    const serve = await ServeProcess.start('test/faults/fixtures/ping.yaml');
    try {
      let signalled = 0;
      const result = await keepAliveLoad(serve.url, '/_synapse/client/ping', 50, {
        after: 3000,
        fire: () => {
          signalled = performance.now();
          serve.child.kill('SIGTERM');
        },
      });
      const code = await serve.exited;
      const stopMs = performance.now() - signalled;
      console.log(
        `      SIGTERM under 50 keep-alive connections: ${result.resets} resets, ` +
          `${result.failedStatus} failed answers, ${result.ok} answered ` +
          `(${result.closing} with Connection: close), ${result.refused} refused after close, ` +
          `exit ${code} ${Math.round(stopMs)} ms after the signal`,
      );
      expect(result.resets, serve.output).to.equal(0);
      expect(result.failedStatus).to.equal(0);
      expect(result.otherErrors).to.deep.equal([]);
      expect(result.ok).to.be.at.least(3000);
      expect(result.refused).to.equal(50); // every client ends by finding the port closed
      expect(code, serve.output).to.equal(0);
      expect(serve.errorLines).to.deep.equal([]);
    } finally {
      serve.kill();
    }
  });
});
