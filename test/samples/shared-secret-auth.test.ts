import { expect } from 'chai';
import { SharedSecretAuth, sharedSecretToken } from '../../samples/modules/shared-secret-auth.js';
import { demoTestHost, type DemoTestHost, info } from './demo-helpers.js';
import { rejectionOf } from './helpers.js';
import { ISOLATION_MODES, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'samples/modules/shared-secret-auth.ts';

const SECRET = 'a-shared-secret-of-some-length';
const TYPE = 'com.devture.shared_secret_auth';

for (const mode of ISOLATION_MODES)
  describe(`sample shared_secret_auth (${mode})`, () => {
    let t: DemoTestHost;
    afterEach(() => t?.demo.close());

    const login = (body: Record<string, unknown>) => t.hs.login.logIn(body, info);

    it('logs a user in with the HMAC token, registering them on first login', async () => {
      t = await demoTestHost({
        modules: [
          moduleEntry(mode, SharedSecretAuth, SOURCE, { config: { shared_secret: SECRET } }),
        ],
      });
      expect(t.hs.login.flows()).to.deep.include({ type: TYPE });
      const token = sharedSecretToken(SECRET, '@bob:test');
      const first = await login({
        type: TYPE,
        identifier: { type: 'm.id.user', user: 'bob' },
        token,
      });
      expect(first.user_id).to.equal('@bob:test');
      expect(t.hs.accounts.user('@bob:test')).to.not.equal(undefined);
      const again = await login({
        type: TYPE,
        identifier: { type: 'm.id.user', user: '@bob:test' },
        token,
      });
      expect(again.user_id).to.equal('@bob:test');
    });

    it("refuses a wrong token, another user's token and a missing token field", async () => {
      t = await demoTestHost({
        modules: [
          moduleEntry(mode, SharedSecretAuth, SOURCE, { config: { shared_secret: SECRET } }),
        ],
      });
      const wrong = await rejectionOf(login({ type: TYPE, user: 'bob', token: 'abc' }));
      expect(wrong.status).to.equal(403);
      const stolen = sharedSecretToken(SECRET, '@alice:test');
      expect(
        (await rejectionOf(login({ type: TYPE, user: 'bob', token: stolen }))).status,
      ).to.equal(403);
      const missing = await rejectionOf(login({ type: TYPE, user: 'bob' }));
      expect(missing.status).to.equal(400);
      expect(missing.errcode).to.equal('M_MISSING_PARAM');
      expect(t.hs.accounts.user('@bob:test')).to.equal(undefined);
    });

    it('accepts the token as a password only when m_login_password_support_enabled', async () => {
      t = await demoTestHost({
        modules: [
          moduleEntry(mode, SharedSecretAuth, SOURCE, { config: { shared_secret: SECRET } }),
        ],
      });
      const password = sharedSecretToken(SECRET, '@carol:test');
      const off = await rejectionOf(login({ type: 'm.login.password', user: 'carol', password }));
      expect(off.status).to.equal(403);
      await t.demo.close();

      t = await demoTestHost({
        modules: [
          moduleEntry(mode, SharedSecretAuth, SOURCE, {
            config: {
              shared_secret: SECRET,
              m_login_password_support_enabled: true,
              com_devture_shared_secret_auth_support_enabled: false,
            },
          }),
        ],
      });
      expect(t.hs.login.flows()).to.deep.equal([{ type: 'm.login.password' }]);
      expect((await login({ type: 'm.login.password', user: 'carol', password })).user_id).to.equal(
        '@carol:test',
      );
      // Local passwords still work for users who have one.
      await t.hs.accounts.register({ username: 'dave', password: 'hunter2' }, info);
      expect(
        (await login({ type: 'm.login.password', user: 'dave', password: 'hunter2' })).user_id,
      ).to.equal('@dave:test');
    });

    it('requires a shared secret of at least 16 characters', async () => {
      const err = await rejectionOf(
        demoTestHost({
          modules: [
            moduleEntry(mode, SharedSecretAuth, SOURCE, { config: { shared_secret: 'short' } }),
          ],
        }),
      );
      expect(err.message).to.include('modules[0].config.shared_secret');
      expect(err.message).to.not.include('"short"');
    });
  });
