/**
 * Logging in: module auth checkers (`password_auth_provider.check_auth`) first, then the local
 * password; then the login spam check, account validity and `on_user_login`.
 */
import { Codes, supportedLoginTypes } from 'modhost';
import type { Accounts } from './accounts.js';
import type { ChatState } from './chat-state.js';
import type { HostLink } from './host-link.js';
import { matrixError } from './matrix-error.js';
import { checkPassword } from './passwords.js';
import type { LoginResult, RequestInfo } from './requester.js';
import { spamRejection } from './spam-verdicts.js';

type PostLogin = (response: Record<string, unknown>) => unknown;

export class Login {
  constructor(
    private readonly state: ChatState,
    private readonly link: HostLink,
    private readonly accounts: Accounts,
  ) {}

  private get callbacks() {
    return this.link.callbacks;
  }

  /** GET /login: the password login, plus every login type a module registered. */
  flows(): { type: string }[] {
    const types = new Set(['m.login.password', ...supportedLoginTypes(this.callbacks).keys()]);
    return [...types].map((type) => ({ type }));
  }

  /** POST /login: module auth checkers first, then the local password; then the login checks. */
  async logIn(body: Record<string, unknown>, requestInfo: RequestInfo): Promise<LoginResult> {
    const loginType = body.type;
    if (typeof loginType !== 'string')
      throw matrixError(400, Codes.MISSING_PARAM, 'type is required');
    const identifier = body.identifier as { type?: string; user?: unknown } | undefined;
    const username = identifier?.user ?? body.user;
    if (typeof username !== 'string' || username === '')
      throw matrixError(400, Codes.MISSING_PARAM, 'identifier.user is required');
    const supported = this.flows().some((f) => f.type === loginType);
    if (!supported) throw matrixError(400, Codes.UNKNOWN, 'Unknown login type');

    const cb = this.callbacks;
    let userId: string | undefined;
    let postLogin: PostLogin | null = null as PostLogin | null;
    if (cb.has('password_auth_provider', 'check_auth')) {
      const result = (await cb.run(
        'password_auth_provider',
        'check_auth',
        username,
        loginType,
        body,
      )) as [string, PostLogin | null] | null;
      if (result) [userId, postLogin] = result;
    }
    if (userId === undefined && loginType === 'm.login.password')
      userId = this.checkLocalPassword(username, body.password);
    if (userId === undefined || !this.state.users.has(userId))
      throw matrixError(403, Codes.FORBIDDEN, 'Invalid username or password');

    const deviceId = typeof body.device_id === 'string' ? body.device_id : undefined;
    if (cb.has('spam_checker', 'check_login_for_spam')) {
      const verdict = await cb.run(
        'spam_checker',
        'check_login_for_spam',
        userId,
        deviceId ?? null,
        typeof body.initial_device_display_name === 'string'
          ? body.initial_device_display_name
          : null,
        requestInfo,
        null,
      );
      const rejected = spamRejection(verdict, 'Login was blocked by a spam checker');
      if (rejected) throw rejected;
    }
    await this.accounts.assertNotExpired(userId);
    if (cb.has('account_validity', 'on_user_login'))
      await cb.run('account_validity', 'on_user_login', userId, loginType, null);
    const response = this.accounts.session(userId, deviceId);
    if (postLogin) await postLogin({ ...response });
    return response;
  }

  private checkLocalPassword(username: string, password: unknown): string | undefined {
    const userId = username.startsWith('@') ? username : this.state.userId(username.toLowerCase());
    const user = this.state.users.get(userId);
    if (!user?.passwordHash || typeof password !== 'string') return undefined;
    return checkPassword(password, user.passwordHash) ? userId : undefined;
  }
}
