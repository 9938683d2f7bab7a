/** `modhost check` shows the instance and the invalidation bus, and whether Redis answers. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, RedisServer, requireRedisServer } from '../helpers/redis-server.js';
import { counterModule } from './host-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../src/cli/main.js');

describe('modhost check with a cluster section', () => {
  let redis: RedisServer | undefined;
  let dir: string;

  before(async function () {
    requireRedisServer(this);
    redis = await RedisServer.start();
    dir = mkdtempSync(path.join(tmpdir(), 'modhost-check-'));
  });
  after(async () => {
    await redis?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function check(name: string, redisUrl: string, runBackgroundTasks: boolean) {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      [
        `instance: { name: ${name}, run_background_tasks: ${runBackgroundTasks} }`,
        `cluster: { redis_url: "${redisUrl}", channel: deploy1 }`,
        'modules:',
        `  - module: "${counterModule}"`,
        '',
      ].join('\n'),
    );
    return spawnSync(process.execPath, [bin, 'check', '-c', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  it('shows the instance, the bus and that Redis answers', () => {
    const r = check('b', redis!.url, false);
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('instance b (background tasks: no)');
    expect(r.stdout).to.match(
      /invalidation bus: redis redis:\/\/127\.0\.0\.1:\d+ channel "deploy1": reachable \(connect \+ PING [\d.]+ ms\)/,
    );
  });

  it('says when Redis does not answer, without failing (instances would start degraded)', async () => {
    const port = await freePort();
    const r = check('c', `redis://user:hunter2@127.0.0.1:${port}`, true);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('instance c (background tasks: yes)');
    expect(r.stdout).to.contain('unreachable: ').and.contain('ECONNREFUSED');
    expect(r.stdout).to.contain('instances start degraded');
    expect(r.stdout + r.stderr).to.not.contain('hunter2');
  });
});
