import { freePort } from '../helpers/ports.js';
import { expect } from 'chai';
import { Codes, NOT_SPAM } from 'modhost';
import { createTestHost, type TestHost } from 'modhost/testing';
import { HttpAntispam } from '../../samples/modules/http-antispam.js';
import { type Answer, type JsonService, rejectionOf, startJsonService } from './helpers.js';
import { ISOLATION_MODES, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'samples/modules/http-antispam.ts';

const event = { type: 'm.room.message', sender: '@a:x', room_id: '!r:x', content: { body: 'hi' } };

for (const mode of ISOLATION_MODES)
  describe(`sample http_antispam (against a loopback antispam service) (${mode})`, () => {
    let service: JsonService;
    let host: TestHost;
    let answer: (path: string, body: any) => Answer;

    beforeEach(async () => {
      answer = () => ({ status: 200, body: {} });
      service = await startJsonService((r) => answer(r.path, r.body));
    });
    afterEach(async () => {
      await host?.stop();
      await service.close();
    });

    const start = async (config: Record<string, unknown> = {}) =>
      (host = await createTestHost({
        modules: [
          moduleEntry(mode, HttpAntispam, SOURCE, { config: { base_url: service.url, ...config } }),
        ],
      }));

    it('POSTs the arguments as named JSON fields with the bearer secret, and allows on 2xx', async () => {
      await start({ authorization: 's3cret' });
      const verdict = await host.callbacks.run(
        'spam_checker',
        'user_may_invite',
        '@a:x',
        '@b:x',
        '!r:x',
      );
      expect(verdict).to.equal(NOT_SPAM);
      const [request] = service.received;
      expect(request!.method).to.equal('POST');
      expect(request!.path).to.equal('/user_may_invite');
      expect(request!.headers.authorization).to.equal('Bearer s3cret');
      expect(request!.body).to.deep.equal({ inviter: '@a:x', invitee: '@b:x', room_id: '!r:x' });
    });

    it("rejects with the service's errcode and fields, M_FORBIDDEN when it gives none", async () => {
      await start();
      answer = (path) =>
        path === '/check_event_for_spam'
          ? {
              status: 400,
              body: { errcode: 'M_LIMIT_EXCEEDED', error: 'slow down', retry_after_ms: 5 },
            }
          : { status: 403, body: { error: 'no' } };
      expect(await host.callbacks.run('spam_checker', 'check_event_for_spam', event)).to.deep.equal(
        ['M_LIMIT_EXCEEDED', { error: 'slow down', retry_after_ms: 5 }],
      );
      expect(
        await host.callbacks.run('spam_checker', 'user_may_create_room', '@a:x', {}),
      ).to.deep.equal([Codes.FORBIDDEN, { error: 'no' }]);
      expect(service.received[0]!.body).to.deep.equal({ event });
    });

    it('answers each callback in its own convention (registration, username flag)', async () => {
      await start();
      answer = (_path, body) =>
        body.username === 'shadow'
          ? { status: 403, body: { shadow_ban: true } }
          : { status: 403, body: { errcode: 'M_FORBIDDEN' } };
      const register = (u: string) =>
        host.callbacks.run(
          'spam_checker',
          'check_registration_for_spam',
          null,
          u,
          [['curl', '::1']],
          null,
        );
      expect(await register('bad')).to.equal('deny');
      expect(await register('shadow')).to.equal('shadow_ban');
      // check_username_for_spam answers a flag (true hides the user), not a verdict.
      const usernameFlagged = () =>
        host.callbacks.run('spam_checker', 'check_username_for_spam', { user_id: '@a:x' }, '@b:x');
      expect(await usernameFlagged()).to.equal(true);
      answer = () => ({ status: 204, body: '' });
      expect(await register('good')).to.equal('allow');
      expect(await usernameFlagged()).to.equal(false);
    });

    it('registers only enabled_callbacks', async () => {
      await start({ enabled_callbacks: ['check_event_for_spam'] });
      expect(host.callbacks.has('spam_checker', 'check_event_for_spam')).to.equal(true);
      expect(host.callbacks.has('spam_checker', 'user_may_invite')).to.equal(false);
      expect(
        await host.callbacks.run('spam_checker', 'user_may_invite', '@a:x', '@b:x', '!r:x'),
      ).to.equal(NOT_SPAM);
      expect(service.received).to.have.length(0);
    });

    it('fails closed with M_UNKNOWN when the service is down, or open where configured', async () => {
      const port = await freePort();
      host = await createTestHost({
        modules: [
          moduleEntry(mode, HttpAntispam, SOURCE, {
            config: { base_url: `http://127.0.0.1:${port}`, fail_open: { user_may_invite: true } },
          }),
        ],
      });
      expect(await host.callbacks.run('spam_checker', 'check_event_for_spam', event)).to.deep.equal(
        [Codes.UNKNOWN, { error: 'The antispam service is unavailable' }],
      );
      expect(
        await host.callbacks.run('spam_checker', 'user_may_invite', '@a:x', '@b:x', '!r:x'),
      ).to.equal(NOT_SPAM);
      expect(host.logs.some((r) => r.msg === 'the antispam service could not be reached')).to.equal(
        true,
      );
    });

    it('fails closed when the service answers something that is not JSON', async () => {
      await start();
      answer = () => ({ status: 502, body: undefined, raw: '<html>bad gateway</html>' });
      expect(
        await host.callbacks.run('spam_checker', 'user_may_join_room', '@a:x', '!r:x', false),
      ).to.deep.equal([Codes.UNKNOWN, { error: 'The antispam service is unavailable' }]);
    });

    it('with async, allows at once and still tells the service', async () => {
      await start({ async: { check_event_for_spam: true } });
      answer = () => ({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
      const arrived = service.nextRequest();
      expect(await host.callbacks.run('spam_checker', 'check_event_for_spam', event)).to.equal(
        NOT_SPAM,
      );
      expect((await arrived).path).to.equal('/check_event_for_spam');
    });

    it('refuses a bad base_url or an unknown callback name at load', async () => {
      const err = await rejectionOf(
        createTestHost({
          modules: [
            moduleEntry(mode, HttpAntispam, SOURCE, {
              config: {
                base_url: 'ftp://x',
                enabled_callbacks: ['check_evnt_for_spam'],
                fail_open: { x: 1 },
              },
            }),
          ],
        }),
      );
      expect(err.message).to.include('modules[0].config.base_url');
      expect(err.message).to.include('modules[0].config.enabled_callbacks');
      expect(err.message).to.include('modules[0].config.fail_open');
    });
  });
