/**
 * shared_secret_auth: a login type for trusted services, after
 * devture/matrix-synapse-shared-secret-auth.
 *
 * A service that knows the shared secret computes `token = hex(HMAC-SHA512(secret, user_id))`
 * and logs in as that user with `{"type": "com.devture.shared_secret_auth", "identifier":
 * {"type": "m.id.user", "user": "alice"}, "token": "<token>"}` (or, when enabled, with the token
 * as the password of an `m.login.password` login). A user who does not exist yet is registered.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Module } from 'modhost/decorators';
import { type AuthCheckerRegistration, ModuleApi } from 'modhost';
import { HOMESERVER_API, type HomeserverApi } from './homeserver-api.js';
import { SharedSecretAuthConfig } from './shared-secret-auth.config.js';

export const SHARED_SECRET_LOGIN_TYPE = 'com.devture.shared_secret_auth';

/** The token for `userId` under `secret`; services compute the same. */
export function sharedSecretToken(secret: string, userId: string): string {
  return createHmac('sha512', secret).update(userId, 'utf8').digest('hex');
}

@Module({ name: 'shared_secret_auth', config: SharedSecretAuthConfig })
export class SharedSecretAuth {
  constructor(
    private readonly api: ModuleApi,
    private readonly config: SharedSecretAuthConfig,
    @Inject(HOMESERVER_API) private readonly homeserver: HomeserverApi,
  ) {
    // Synapse keys auth checkers by (login type, fields); modhost by login type.
    const checkers: Record<string, AuthCheckerRegistration> = {};
    if (config.com_devture_shared_secret_auth_support_enabled)
      checkers[SHARED_SECRET_LOGIN_TYPE] = {
        fields: ['token'],
        check: (username, _type, fields) => this.check(username, fields.token),
      };
    if (config.m_login_password_support_enabled)
      checkers['m.login.password'] = {
        fields: ['password'],
        check: (username, _type, fields) => this.check(username, fields.password),
      };
    if (Object.keys(checkers).length === 0) {
      api.logger.warn('both login types are disabled: this module does nothing');
      return;
    }
    api.registerPasswordAuthProviderCallbacks({ auth_checkers: checkers });
  }

  /** The full user ID for what the client sent as the user (a localpart or a full ID). */
  canonicalUserId(username: string): string {
    return username.startsWith('@') ? username : `@${username}:${this.homeserver.serverName}`;
  }

  async check(username: string, token: unknown): Promise<[string, null] | null> {
    if (typeof token !== 'string' || token === '') return null;
    const userId = this.canonicalUserId(username);
    if (!this.homeserver.isMine(userId)) return null;
    const expected = Buffer.from(sharedSecretToken(this.config.shared_secret, userId));
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    if (!(await this.homeserver.userExists(userId))) {
      const localpart = userId.slice(1, userId.indexOf(':'));
      await this.homeserver.registerUser(localpart);
      this.api.logger.info({ user_id: userId }, 'registered a user on first shared-secret login');
    }
    return [userId, null];
  }
}
