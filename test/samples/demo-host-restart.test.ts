/**
 * The demo keeps its accounts and rooms in its own database namespace: the README walkthrough's
 * state (users, tokens, rooms, messages) and account_validity's records survive a restart.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ModuleHost } from 'modhost';
import { createCapturingLogger } from 'modhost/testing';
import { Demo } from '../../samples/demo-host/demo.js';
import { copyPgliteTemplate } from '../helpers/pglite-template.js';
import { callDemo, demoConfigFor } from './demo-helpers.js';

const C = '/_matrix/client/v3';

async function startDemo(dir: string, port = 0): Promise<{ demo: Demo; base: string }> {
  const demo = new Demo({ serverName: 'localhost' });
  const base = await demo.listen(port, '127.0.0.1');
  const file = await demoConfigFor(Number(new URL(base).port), dir);
  const { logger } = createCapturingLogger('warn');
  await demo.attach(await ModuleHost.fromConfigFile(file, { providers: demo.providers, logger }));
  return { demo, base };
}

const call = callDemo;

describe('demo host: state survives a restart', function () {
  this.timeout(120_000);
  let dir: string;
  let demo: Demo | undefined;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modhost-demo-restart-'));
    // demo.yaml keeps its data in ./data, next to the config copy.
    await copyPgliteTemplate(path.join(dir, 'data'));
  });
  after(async () => {
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps users, access tokens, rooms and messages in the database', async () => {
    let started = await startDemo(dir);
    demo = started.demo;
    let base = started.base;
    const alice = await call(base, 'POST', `${C}/register`, {
      username: 'alice',
      password: 'alice-pw',
    });
    expect(alice.status, JSON.stringify(alice.json)).to.equal(200);
    const room = await call(
      base,
      'POST',
      `${C}/createRoom`,
      { name: 'team' },
      alice.json.access_token,
    );
    expect(room.status).to.equal(200);
    const roomPath = `${C}/rooms/${encodeURIComponent(room.json.room_id)}`;
    const sent = await call(
      base,
      'PUT',
      `${roomPath}/send/m.room.message/t1`,
      { msgtype: 'm.text', body: 'before the restart' },
      alice.json.access_token,
    );
    expect(sent.status).to.equal(200);
    await demo.close();
    demo = undefined;

    started = await startDemo(dir);
    demo = started.demo;
    base = started.base;
    const whoami = await call(
      base,
      'GET',
      `${C}/account/whoami`,
      undefined,
      alice.json.access_token,
    );
    expect(whoami).to.deep.include({ status: 200 });
    expect(whoami.json.user_id).to.equal('@alice:localhost');
    const login = await call(base, 'POST', `${C}/login`, {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'alice' },
      password: 'alice-pw',
    });
    expect(login.status).to.equal(200);
    const messages = await call(
      base,
      'GET',
      `${roomPath}/messages`,
      undefined,
      alice.json.access_token,
    );
    expect(messages.status).to.equal(200);
    expect(JSON.stringify(messages.json)).to.include('before the restart');
    // account_validity's record of alice came back too (is she expired? no: known, not null).
    expect(
      await demo['host']!.callbacks.run('account_validity', 'is_user_expired', '@alice:localhost'),
    ).to.equal(false);
    const again = await call(base, 'POST', `${C}/register`, { username: 'alice', password: 'x' });
    expect(again.json.errcode).to.equal('M_USER_IN_USE');
  });
});
