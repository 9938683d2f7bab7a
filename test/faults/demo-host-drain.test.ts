/**
 * #11.4 / #11.7 for the demo host: its SIGTERM drain is the framework's (ConnectionDrain), so
 * under a keep-alive load nothing is lost: answers during the drain carry `Connection: close`,
 * idle keep-alive connections close without dropping a request already on its way, clients
 * then find the port closed, and the process exits 0. (With `closeIdleConnections` the same
 * run reset 50 requests, one per connection.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { copyPgliteTemplate } from '../helpers/pglite-template.js';
import { demoConfigFor } from '../samples/demo-helpers.js';
import { expectCleanSigterm } from './keepalive-load.js';
import { ServeProcess } from './serve-process.js';

const main = path.join(repoRoot, 'dist/samples/demo-host/main.js');

describe('faults: the demo host at SIGTERM under keep-alive load', function () {
  this.timeout(90_000);

  it('answers every accepted request (0 resets, 0 failures) and exits 0', async () => {
    // demo.yaml copied into a temp directory, so its ./data is a fresh database of this test's
    // own (a copy of the run's template) and not the one in the source tree.
    const dir = await mkdtemp(path.join(tmpdir(), 'modhost-demo-drain-'));
    try {
      await copyPgliteTemplate(path.join(dir, 'data'));
      const config = await demoConfigFor(8008, dir);
      const demo = await ServeProcess.run([main, '--port', '0', config]);
      try {
        await expectCleanSigterm(demo, '/_matrix/client/v3/login', 'demo host', 2000);
      } finally {
        demo.kill();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
