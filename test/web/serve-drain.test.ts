/** `modhost serve` on SIGTERM: in-flight requests complete, then the process exits 0. */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { send } from './helpers.js';

const bin = path.join(repoRoot, 'dist/src/cli/main.js');
const config = path.join(repoRoot, 'test/web/fixtures/held.yaml');

describe('modhost serve drains on SIGTERM', () => {
  it('completes concurrent in-flight requests, then exits 0', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '-c', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const m = /"url":"(http:\/\/[^"]+)"/.exec(output);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${output}`)));
      });
      const replies = Array.from({ length: 10 }, (_, i) =>
        send(url, 'GET', `/_synapse/client/held/wait?id=${i}`),
      );
      // Wait until the server holds all ten (polling; no timing is asserted).
      for (;;) {
        const res = await send(url, 'GET', '/_synapse/client/held/waiting');
        if ((JSON.parse(res.body) as { waiting: number }).waiting === 10) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const results = await Promise.all(replies);
      expect(results.map((r) => r.status)).to.deep.equal(Array(10).fill(200));
      expect(results.map((r) => JSON.parse(r.body).id)).to.deep.equal(
        Array.from({ length: 10 }, (_, i) => String(i)),
      );
      expect(await exited, output).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
