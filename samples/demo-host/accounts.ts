/**
 * Users of the demo homeserver: registration, sessions, account validity on every request, and
 * profiles, each calling the module callbacks where Synapse does (skipped when no module
 * registered the callback).
 */
import { Codes, RegistrationBehaviour } from 'modhost';
import { type ChatState, type DemoUser, randomId } from './chat-state.js';
import type { HostLink } from './host-link.js';
import { matrixError } from './matrix-error.js';
import { hashPassword } from './passwords.js';
import type { LoginResult, RequestInfo, Requester } from './requester.js';

const LOCALPART = /^[a-z0-9._=\-/]+$/;

export class Accounts {
  constructor(
    private readonly state: ChatState,
    private readonly link: HostLink,
    /** Localparts that are server admins (a demo shortcut for Synapse's `admin` flag). */
    private readonly adminLocalparts: readonly string[],
  ) {}

  private get callbacks() {
    return this.link.callbacks;
  }

  user(userId: string): DemoUser | undefined {
    return this.state.users.get(userId);
  }

  private createUser(localpart: string, fields: Partial<DemoUser> = {}): DemoUser {
    if (!LOCALPART.test(localpart))
      throw matrixError(
        400,
        Codes.INVALID_USERNAME,
        'User ID can only contain a-z, 0-9, . _ = - /',
      );
    const userId = this.state.userId(localpart);
    if (this.state.users.has(userId))
      throw matrixError(400, Codes.USER_IN_USE, 'User ID already taken.');
    const user: DemoUser = {
      userId,
      isAdmin: this.adminLocalparts.includes(localpart),
      shadowBanned: false,
      ...fields,
    };
    this.state.users.set(userId, user);
    return user;
  }

  /** POST /register: spam check, module-chosen username and display name, then validity. */
  async register(
    body: { username?: string; password?: string; email?: string },
    requestInfo: RequestInfo,
  ): Promise<LoginResult> {
    if (typeof body.password !== 'string' || body.password === '')
      throw matrixError(400, Codes.MISSING_PARAM, 'password is required');
    const cb = this.callbacks;
    const uiaResults = { 'm.login.dummy': true };
    let username = body.username;
    if (cb.has('password_auth_provider', 'get_username_for_registration')) {
      const chosen = await cb.run(
        'password_auth_provider',
        'get_username_for_registration',
        uiaResults,
        body,
      );
      if (typeof chosen === 'string') username = chosen;
    }
    if (typeof username !== 'string' || username === '')
      username = `user_${randomId(4).toLowerCase()}`;
    username = username.toLowerCase();
    let behaviour: unknown = RegistrationBehaviour.ALLOW;
    if (cb.has('spam_checker', 'check_registration_for_spam')) {
      const threepid = body.email ? { medium: 'email', address: body.email } : null;
      behaviour = await cb.run(
        'spam_checker',
        'check_registration_for_spam',
        threepid,
        username,
        requestInfo,
        null,
      );
    }
    if (behaviour === RegistrationBehaviour.DENY)
      throw matrixError(403, Codes.FORBIDDEN, 'Registration has been disabled');
    let displayname: string | undefined;
    if (cb.has('password_auth_provider', 'get_displayname_for_registration')) {
      const chosen = await cb.run(
        'password_auth_provider',
        'get_displayname_for_registration',
        uiaResults,
        body,
      );
      if (typeof chosen === 'string') displayname = chosen;
    }
    const user = this.createUser(username, {
      passwordHash: hashPassword(body.password),
      email: body.email,
      displayname: displayname ?? username,
      shadowBanned: behaviour === RegistrationBehaviour.SHADOW_BAN,
    });
    await this.userRegistered(user.userId);
    return this.session(user.userId);
  }

  /** Module-initiated registration (HomeserverApi.registerUser). */
  async registerWithoutPassword(localpart: string, displayname?: string): Promise<string> {
    const user = this.createUser(localpart.toLowerCase(), {
      displayname: displayname ?? localpart,
    });
    await this.userRegistered(user.userId);
    return user.userId;
  }

  private async userRegistered(userId: string): Promise<void> {
    if (this.callbacks.has('account_validity', 'on_user_registration'))
      await this.callbacks.run('account_validity', 'on_user_registration', userId);
  }

  /** A new access token for the user. */
  session(userId: string, deviceId?: string): LoginResult {
    const token = this.state.newSession(userId, deviceId);
    return {
      user_id: userId,
      access_token: token,
      device_id: this.state.sessions.get(token)!.deviceId,
      home_server: this.state.serverName,
    };
  }

  /** Synapse checks account validity on login and on every authenticated request. */
  async assertNotExpired(userId: string): Promise<void> {
    if (!this.callbacks.has('account_validity', 'is_user_expired')) return;
    if ((await this.callbacks.run('account_validity', 'is_user_expired', userId)) === true)
      throw matrixError(403, Codes.EXPIRED_ACCOUNT, 'User account has expired');
  }

  /** The session for an access token, checked for expiry; a 401 when there is none. */
  async authenticate(token: string | undefined): Promise<Requester> {
    if (!token) throw matrixError(401, Codes.MISSING_TOKEN, 'Missing access token');
    const session = this.state.sessions.get(token);
    if (!session) throw matrixError(401, Codes.UNKNOWN_TOKEN, 'Unrecognised access token');
    await this.assertNotExpired(session.userId);
    return { user_id: session.userId, device_id: session.deviceId, is_guest: false };
  }

  async setDisplayname(requester: Requester, userId: string, displayname: unknown): Promise<void> {
    const user = this.state.users.get(userId);
    if (!user) throw matrixError(404, Codes.NOT_FOUND, 'No such user');
    const byAdmin = requester.user_id !== userId;
    if (byAdmin && !this.state.users.get(requester.user_id)?.isAdmin)
      throw matrixError(403, Codes.FORBIDDEN, "Cannot set another user's displayname");
    if (typeof displayname !== 'string')
      throw matrixError(400, Codes.BAD_JSON, 'displayname must be a string');
    user.displayname = displayname;
    if (this.callbacks.has('third_party_rules', 'on_profile_update'))
      await this.callbacks.run(
        'third_party_rules',
        'on_profile_update',
        userId,
        { displayname, avatar_url: null },
        byAdmin,
        false,
      );
  }
}
