/**
 * The demo chat server end to end over loopback HTTP, with demo.yaml's modules: the README's
 * curl session, as a test. demo.yaml is used as written, except that its port moves to the
 * ephemeral one the demo got and its module specs become absolute.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModuleHost } from 'modhost';
import { createCapturingLogger } from 'modhost/testing';
import { Demo } from '../../samples/demo-host/demo.js';
import { sharedSecretToken } from '../../samples/modules/shared-secret-auth.js';
import { copyPgliteTemplate } from '../helpers/pglite-template.js';
import { callDemo, demoConfigFor } from './demo-helpers.js';
import { ISOLATION_MODES } from '../helpers/isolation.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

for (const mode of ISOLATION_MODES)
  describe(`demo host, end to end over HTTP (${mode})`, function () {
    // The run's first fresh data directory runs PGlite's initdb, for the template.
    this.timeout(120_000);
    let demo: Demo;
    let base: string;
    let dir: string;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'modhost-demo-'));
      // demo.yaml keeps its data in ./data, next to the config copy.
      await copyPgliteTemplate(path.join(dir, 'data'));
      demo = new Demo({ serverName: 'localhost' });
      base = await demo.listen(0, '127.0.0.1');
      const file = await demoConfigFor(Number(new URL(base).port), dir, mode);
      const { logger } = createCapturingLogger('warn');
      const host = await ModuleHost.fromConfigFile(file, { providers: demo.providers, logger });
      await demo.attach(host);
    });
    after(async () => {
      await demo?.close();
      await rm(dir, { recursive: true, force: true });
    });

    const call = (method: string, p: string, body?: unknown, token?: string) =>
      callDemo(base, method, p, body, token);
    const C = '/_matrix/client/v3';
    const tokens: Record<string, string> = {};
    let roomId = '';

    it('serves say_hello and /health through the module host', async () => {
      const hello = await call('GET', '/_synapse/client/my_super_module/say_hello?name=Alice');
      expect(hello).to.deep.equal({
        status: 200,
        json: { message: 'Hello, Alice!', instance: 'main' },
      });
      expect((await call('GET', '/health')).status).to.equal(200);
      expect((await call('GET', '/nothing/here')).status).to.equal(404);
    });

    it('registers users; the antispam service refuses a spammy username', async () => {
      for (const username of ['alice', 'bob', 'admin', 'guest1']) {
        const r = await call('POST', `${C}/register`, {
          username,
          password: `${username}-pw`,
          email: `${username}@example.org`,
        });
        expect(r.status, JSON.stringify(r.json)).to.equal(200);
        tokens[username] = r.json.access_token;
      }
      const spam = await call('POST', `${C}/register`, { username: 'spambot', password: 'x' });
      expect(spam.status).to.equal(403);
      expect(spam.json.errcode).to.equal('M_FORBIDDEN');
      expect(demo.services.antispamRequests.map((r) => r.callback)).to.include(
        'check_registration_for_spam',
      );
    });

    it('lists the shared-secret login type and logs in with it', async () => {
      const flows = await call('GET', `${C}/login`);
      expect(flows.json.flows).to.deep.include({ type: 'com.devture.shared_secret_auth' });
      const token = sharedSecretToken('demo-shared-secret-0123456789', '@bob:localhost');
      const r = await call('POST', `${C}/login`, {
        type: 'com.devture.shared_secret_auth',
        identifier: { type: 'm.id.user', user: 'bob' },
        token,
      });
      expect(r.status).to.equal(200);
      expect(r.json.user_id).to.equal('@bob:localhost');
      const bad = await call('POST', `${C}/login`, {
        type: 'com.devture.shared_secret_auth',
        identifier: { type: 'm.id.user', user: 'bob' },
        token: 'nope',
      });
      expect(bad.status).to.equal(403);
      const password = await call('POST', `${C}/login`, {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'alice' },
        password: 'alice-pw',
      });
      expect(password.status).to.equal(200);
    });

    it('user_restrictions stops a guest creating a room; alice may', async () => {
      const guest = await call('POST', `${C}/createRoom`, { name: 'guests' }, tokens.guest1);
      expect(guest.status).to.equal(403);
      expect(guest.json.errcode).to.equal('M_FORBIDDEN');
      const r = await call('POST', `${C}/createRoom`, { name: 'team' }, tokens.alice);
      expect(r.status).to.equal(200);
      roomId = r.json.room_id;
    });

    it('auto_accept_invite joins bob as soon as alice invites him', async () => {
      const r = await call(
        'POST',
        `${C}/rooms/${encodeURIComponent(roomId)}/invite`,
        { user_id: '@bob:localhost' },
        tokens.alice,
      );
      expect(r.status).to.equal(200);
      const messages = await call(
        'GET',
        `${C}/rooms/${encodeURIComponent(roomId)}/messages?dir=f`,
        undefined,
        tokens.bob,
      );
      const members = messages.json.chunk
        .filter((e: any) => e.type === 'm.room.member' && e.state_key === '@bob:localhost')
        .map((e: any) => e.content.membership);
      expect(members).to.deep.equal(['invite', 'join']);
    });

    it('http_antispam lets a normal message through and rejects a banned word', async () => {
      const room = encodeURIComponent(roomId);
      const ok = await call(
        'PUT',
        `${C}/rooms/${room}/send/m.room.message/t1`,
        { msgtype: 'm.text', body: 'hello bob' },
        tokens.alice,
      );
      expect(ok.status).to.equal(200);
      expect(ok.json.event_id).to.match(/^\$/);
      const spam = await call(
        'PUT',
        `${C}/rooms/${room}/send/m.room.message/t2`,
        { msgtype: 'm.text', body: 'buy VIAGRA now' },
        tokens.bob,
      );
      expect(spam.status).to.equal(403);
      expect(spam.json).to.deep.equal({
        errcode: 'M_FORBIDDEN',
        error: 'Message contains the banned word "viagra"',
      });
      const messages = await call('GET', `${C}/rooms/${room}/messages`, undefined, tokens.alice);
      const bodies = messages.json.chunk
        .filter((e: any) => e.type === 'm.room.message')
        .map((e: any) => e.content.body);
      expect(bodies).to.deep.equal(['hello bob']);
    });

    it('updates a display name', async () => {
      const r = await call(
        'PUT',
        `${C}/profile/${encodeURIComponent('@alice:localhost')}/displayname`,
        { displayname: 'Alice' },
        tokens.alice,
      );
      expect(r.status).to.equal(200);
      const got = await call(
        'GET',
        `${C}/profile/${encodeURIComponent('@alice:localhost')}/displayname`,
      );
      expect(got.json).to.deep.equal({ displayname: 'Alice' });
      const other = await call(
        'PUT',
        `${C}/profile/${encodeURIComponent('@bob:localhost')}/displayname`,
        { displayname: 'x' },
        tokens.alice,
      );
      expect(other.status).to.equal(403);
    });

    it('department caches the directory until invalidated', async () => {
      const lookup = () =>
        call('GET', '/_synapse/client/department/lookup?user_id=%40alice%3Alocalhost');
      expect((await lookup()).json.department).to.equal('engineering');
      await call('PUT', '/_demo/directory', {
        user_id: '@alice:localhost',
        department: 'research',
      });
      expect((await lookup()).json.department).to.equal('engineering');
      const denied = await fetch(`${base}/_synapse/client/department/invalidate`, {
        method: 'POST',
        body: JSON.stringify({ user_id: '@alice:localhost' }),
      });
      expect(denied.status).to.equal(403);
      const inv = await fetch(`${base}/_synapse/client/department/invalidate`, {
        method: 'POST',
        headers: { authorization: 'Bearer demo-invalidation-secret' },
        body: JSON.stringify({ user_id: '@alice:localhost' }),
      });
      expect(inv.status).to.equal(200);
      expect((await lookup()).json.department).to.equal('research');
    });

    it('account_validity: an expired account is refused; the renewal link brings it back', async () => {
      const av = '/_synapse/client/email_account_validity';
      const expire = await call(
        'POST',
        `${av}/admin`,
        { user_id: '@alice:localhost', expiration_ts: Date.now() - 1000 },
        tokens.admin,
      );
      expect(expire.status).to.equal(200);
      const refused = await call('GET', `${C}/account/whoami`, undefined, tokens.alice);
      expect(refused.status).to.equal(403);
      expect(refused.json.errcode).to.equal('ORG_MATRIX_EXPIRED_ACCOUNT');
      // The renewal endpoint itself is a module resource, reachable without a valid session.
      const sent = await call('POST', `${av}/send_mail`, {}, tokens.alice);
      expect(sent.status).to.equal(200);
      const outbox = await call('GET', '/_demo/outbox?user_id=%40alice%3Alocalhost');
      const link: string = /(http\S+)/.exec(outbox.json.notices.at(-1).text)![1]!;
      expect(
        link.startsWith(`${base}/_synapse/client/email_account_validity/renew?token=`),
      ).to.equal(true);
      const renewed = await fetch(link);
      expect(renewed.status).to.equal(200);
      expect(
        (await call('GET', `${C}/account/whoami`, undefined, tokens.alice)).json.user_id,
      ).to.equal('@alice:localhost');
    });

    it('answers Matrix-style errors for bad requests', async () => {
      expect((await call('GET', `${C}/account/whoami`)).json.errcode).to.equal('M_MISSING_TOKEN');
      expect((await call('GET', `${C}/account/whoami`, undefined, 'nope')).status).to.equal(401);
      const notJson = await fetch(`${base}${C}/register`, { method: 'POST', body: '{' });
      expect(notJson.status).to.equal(400);
      expect((await notJson.json()).errcode).to.equal('M_NOT_JSON');
      expect((await call('DELETE', `${C}/createRoom`)).status).to.equal(405);
      expect(
        (
          await call(
            'POST',
            `${C}/rooms/!nope:localhost/invite`,
            { user_id: '@bob:localhost' },
            tokens.bob,
          )
        ).status,
      ).to.equal(404);
    });
  });

describe('demo host --check', () => {
  it('wires demo.yaml with the demo providers and lists every module, without listening', () => {
    const main = path.join(repoRoot, 'dist/samples/demo-host/main.js');
    const run = spawnSync(process.execPath, [main, '--check'], { encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const json = run.stdout.slice(0, run.stdout.lastIndexOf(']') + 1);
    const modules = JSON.parse(json) as { name: string }[];
    expect(modules.map((m) => m.name)).to.deep.equal([
      'my_super_module',
      'user_restrictions',
      'http_antispam',
      'auto_accept_invite',
      'shared_secret_auth',
      'account_validity',
      'department',
    ]);
    expect(run.stdout.trimEnd().endsWith('demo.yaml: ok')).to.equal(true);
  });
});
