/**
 * #11.7: the demo host (a real `node dist/samples/demo-host/main.js` process) meets the
 * framework's bar: routing by the same path rules (`//x/_matrix/...` never reaches login),
 * 4xx/501 for a bad Host, TRACE or a malformed target (nothing logged as an error), body limits
 * enforced while streaming (its own routes and the module host's), its port chosen by `--port`
 * or DEMO_PORT, and a busy port reported as `modhost serve` reports it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { copyPgliteTemplate } from '../helpers/pglite-template.js';
import { demoConfigFor } from '../samples/demo-helpers.js';
import { rawSocket, readUntilClosed } from '../web/helpers.js';
import { ServeProcess } from './serve-process.js';
import { BOUND, pushUntilClosed } from './upload.js';

const main = path.join(repoRoot, 'dist/samples/demo-host/main.js');

async function raw(url: string, request: string): Promise<string> {
  const socket = await rawSocket(url);
  const reply = readUntilClosed(socket);
  socket.end(request);
  return reply;
}

describe('faults: the demo host', function () {
  this.timeout(90_000);
  let demo: ServeProcess;
  let dir: string;
  let config: string;

  before(async () => {
    // demo.yaml copied into a temp directory, so its ./data is this test's own database (a
    // copy of the run's template), not the source tree's, which a previous run may still hold.
    dir = await mkdtemp(path.join(tmpdir(), 'modhost-demo-faults-'));
    await copyPgliteTemplate(path.join(dir, 'data'));
    config = await demoConfigFor(8008, dir);
    demo = await ServeProcess.run([main, '--port', '0', config]);
  });
  after(async () => {
    if (demo !== undefined) {
      demo.kill();
      await demo.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('routes by the framework path rules: //x/_matrix/client/v3/login is not login', async () => {
    const login = JSON.stringify({ type: 'm.login.password', user: 'x', password: 'y' });
    for (const target of ['//x/_matrix/client/v3/login', '/x//_matrix/client/v3/login']) {
      const text = await raw(
        demo.url,
        `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${login.length}\r\nConnection: close\r\n\r\n${login}`,
      );
      expect(text, target).to.match(/^HTTP\/1\.1 404 /);
    }
    const plain = await fetch(`${demo.url}/_matrix/client/v3/login`);
    expect(plain.status).to.equal(200);
  });

  it('answers bad Host, TRACE, CONNECT and credentials in the target with 4xx/501', async () => {
    const cases: [string, number][] = [
      ['GET /_matrix/client/v3/login HTTP/1.1\r\nHost: 999.1.1.1', 400],
      ['GET /_synapse/client/department/lookup HTTP/1.1\r\nHost: a:99999', 400],
      ['GET /_matrix/client/v3/login HTTP/1.1\r\nHost: [:::]', 400],
      ['TRACE /_synapse/client/department/lookup HTTP/1.1\r\nHost: x', 501],
      ['CONNECT x:443 HTTP/1.1\r\nHost: x:443', 501],
      ['GET http://u:p@x/_matrix/client/v3/login HTTP/1.1\r\nHost: x', 400],
      ['GET /_matrix/%zz HTTP/1.1\r\nHost: x', 400],
    ];
    for (const [head, status] of cases) {
      const text = await raw(demo.url, `${head}\r\nConnection: close\r\n\r\n`);
      expect(text, head).to.match(new RegExp(`^HTTP/1\\.1 ${status} `));
    }
    expect(demo.errorLines).to.deep.equal([]);
  });

  it('stops an endless upload to a module resource at max_request_size (413, closed)', async () => {
    const { written, reply } = await pushUntilClosed(
      demo.url,
      'POST /_synapse/client/department/invalidate HTTP/1.1\r\nHost: x\r\n' +
        'Authorization: Bearer demo-invalidation-secret\r\nTransfer-Encoding: chunked\r\n\r\n',
      true,
    );
    expect(written).to.be.below(BOUND);
    expect(reply).to.match(/^HTTP\/1\.1 413 [\s\S]*connection: close/i);
  });

  it('stops an endless upload to its own routes too', async () => {
    const { written, reply } = await pushUntilClosed(
      demo.url,
      'POST /_matrix/client/v3/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      true,
    );
    expect(written).to.be.below(BOUND);
    expect(reply).to.match(/^HTTP\/1\.1 413 [\s\S]*connection: close/i);
  });

  it('reports a busy port (chosen by DEMO_PORT) as modhost serve does, exit 1, no stack', () => {
    const port = new URL(demo.url).port;
    const run = spawnSync(process.execPath, [main, config], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DEMO_PORT: port },
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).to.equal(1);
    expect(output).to.include(`Cannot listen on 127.0.0.1:${port} (DEMO_PORT): EADDRINUSE`);
    expect(output).to.include('Another process uses this port');
    expect(output).to.not.match(/^\s+at /m);
  });
});
