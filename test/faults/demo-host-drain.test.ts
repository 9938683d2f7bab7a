/**
 * #11.4 / #11.7 for the demo host: its SIGTERM drain is the framework's (ConnectionDrain), so
 * under a keep-alive load nothing is lost: answers during the drain carry `Connection: close`,
 * idle keep-alive connections close without dropping a request already on its way, clients
 * then find the port closed, and the process exits 0.
 */
import { expect } from 'chai';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { keepAliveLoad } from './keepalive-load.js';
import { ServeProcess } from './serve-process.js';

const main = path.join(repoRoot, 'dist/samples/demo-host/main.js');

describe('faults: the demo host at SIGTERM under keep-alive load', function () {
  this.timeout(90_000);

  it('answers every accepted request (0 resets, 0 failures) and exits 0', async () => {
    const demo = await ServeProcess.run([main, '--port', '0']);
    try {
      const result = await keepAliveLoad(demo.url, '/_matrix/client/v3/login', 50, {
        after: 2000,
        fire: () => demo.child.kill('SIGTERM'),
      });
      const code = await demo.exited;
      console.log(
        `      demo host, SIGTERM under 50 keep-alive connections: ${result.resets} resets, ` +
          `${result.failedStatus} failed answers, ${result.ok} answered ` +
          `(${result.closing} with Connection: close), ${result.refused} refused after close, ` +
          `exit ${code}`,
      );
      expect(result.resets, demo.output).to.equal(0);
      expect(result.failedStatus).to.equal(0);
      expect(result.otherErrors).to.deep.equal([]);
      expect(result.ok).to.be.at.least(2000);
      expect(result.closing).to.be.at.least(1); // the drain told clients to go
      expect(result.refused).to.equal(50); // every client ends by finding the port closed
      expect(code, demo.output).to.equal(0);
      expect(demo.errorLines).to.deep.equal([]);
    } finally {
      demo.kill();
    }
  });
});
