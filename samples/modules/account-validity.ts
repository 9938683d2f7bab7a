/**
 * account_validity: accounts expire after a period unless renewed, after
 * matrix-org/synapse-email-account-validity.
 *
 * - `account_validity.is_user_expired` tells the host whether an account has expired;
 * - `on_user_registration` / `on_user_login` start the validity period;
 * - a looping call (on the background-task instance only) sends renewal notices with a link;
 * - web resources under `/_synapse/client/email_account_validity/` renew an account from that
 *   link, send a new notice on request, and let an admin set an expiry.
 */
import { Callback, Inject, Module, WebResource } from 'modhost/decorators';
import { ModuleApi, readJson, parseDuration } from 'modhost';
import { AccountValidityConfig } from './account-validity.config.js';
import { AccountValidityStore, VALIDITY_MIGRATIONS } from './account-validity-store.js';
import { HOMESERVER_API, type HomeserverApi } from './homeserver-api.js';

const BASE = '/_synapse/client/email_account_validity';

function html(status: number, title: string, text: string): Response {
  const escape = (s: string) =>
    s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const body = `<!doctype html><html><head><title>${escape(title)}</title></head><body><p>${escape(text)}</p></body></html>\n`;
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

function matrixError(status: number, errcode: string, error: string): Response {
  return Response.json({ errcode, error }, { status });
}

@Module({ name: 'account_validity', config: AccountValidityConfig })
export class AccountValidity {
  /** Applied by the host at start, once across every instance sharing the database. */
  static migrations = VALIDITY_MIGRATIONS;
  readonly store: AccountValidityStore;
  private readonly periodMs: number;
  private readonly renewAtMs: number;

  constructor(
    private readonly api: ModuleApi,
    private readonly config: AccountValidityConfig,
    @Inject(HOMESERVER_API) private readonly homeserver: HomeserverApi,
  ) {
    this.store = new AccountValidityStore(api.database);
    this.periodMs = parseDuration(config.period, 'account_validity period');
    this.renewAtMs = parseDuration(config.renew_at, 'account_validity renew_at');
    // Synapse's module loops on every worker and relies on run_on_all_instances=False; so do we.
    api.loopingCall(() => this.sendRenewalNotices(), config.check_interval);
  }

  @Callback('account_validity', 'is_user_expired')
  async isUserExpired(userId: string): Promise<boolean | null> {
    const record = await this.store.get(userId);
    // null: this module knows nothing of the user and lets other modules (or the host) decide.
    return record ? record.expirationTs <= this.api.now() : null;
  }

  @Callback('account_validity', 'on_user_registration')
  async onUserRegistration(userId: string): Promise<void> {
    await this.store.setExpiration(userId, this.api.now() + this.periodMs);
  }

  /** Users who existed before the module was enabled get a period from their first login. */
  @Callback('account_validity', 'on_user_login')
  async onUserLogin(userId: string): Promise<void> {
    await this.store.setExpirationIfAbsent(userId, this.api.now() + this.periodMs);
  }

  /** One pass of the loop: notify every account expiring within `renew_at`. */
  async sendRenewalNotices(): Promise<number> {
    const due = await this.store.dueForNotice(this.api.now() + this.renewAtMs);
    let sent = 0;
    for (const record of due) {
      if (await this.sendRenewalNotice(record.userId)) sent += 1;
    }
    return sent;
  }

  /** Sends one notice (with a fresh renewal link when `send_links`); false if undeliverable. */
  async sendRenewalNotice(userId: string): Promise<boolean> {
    const record = await this.store.get(userId);
    if (!record) return false;
    const expires = new Date(record.expirationTs).toISOString();
    let text = `Your account ${userId} expires on ${expires}.`;
    if (this.config.send_links) {
      const token = await this.store.issueToken(userId);
      text += ` Renew it by opening ${this.renewalUrl(token)}`;
    }
    const delivered = await this.homeserver.notifyUser(userId, {
      subject: this.config.renew_email_subject,
      text,
    });
    // Marked as sent even when undeliverable: retrying every pass would only spam the logs.
    await this.store.markNoticeSent(userId, this.api.now());
    if (!delivered) this.api.logger.warn({ user_id: userId }, 'user has no address for notices');
    return delivered;
  }

  renewalUrl(token: string): string {
    const base = this.api.publicBaseUrl.replace(/\/+$/, '');
    return `${base}${BASE}/renew?token=${encodeURIComponent(token)}`;
  }

  /** Extends the account by a period from now, if the token is the user's current one. */
  async renew(token: string): Promise<{ userId: string; expirationTs: number } | undefined> {
    const expirationTs = this.api.now() + this.periodMs;
    const userId = await this.store.renewByToken(token, expirationTs);
    return userId ? { userId, expirationTs } : undefined;
  }

  @WebResource(`${BASE}/renew`, { methods: ['GET'] })
  async renewResource(request: Request): Promise<Response> {
    const token = new URL(request.url).searchParams.get('token');
    if (!token) return html(400, 'Missing token', 'The renewal link has no token.');
    const renewed = await this.renew(token);
    if (!renewed)
      return html(404, 'Invalid link', 'This renewal link is invalid or was already used.');
    const until = new Date(renewed.expirationTs).toISOString();
    return html(200, 'Account renewed', `Your account has been renewed until ${until}.`);
  }

  @WebResource(`${BASE}/send_mail`, { methods: ['POST'] })
  async sendMailResource(request: Request): Promise<Response> {
    const requester = await this.homeserver.getUserByRequest(request);
    if (!requester) return matrixError(401, 'M_MISSING_TOKEN', 'An access token is required');
    if (!(await this.store.get(requester.userId)))
      return matrixError(404, 'M_NOT_FOUND', 'Account validity is not tracked for this user');
    await this.sendRenewalNotice(requester.userId);
    return Response.json({});
  }

  @WebResource(`${BASE}/admin`, { methods: ['POST'] })
  async adminResource(request: Request): Promise<Response> {
    const requester = await this.homeserver.getUserByRequest(request);
    if (!requester) return matrixError(401, 'M_MISSING_TOKEN', 'An access token is required');
    if (!requester.isAdmin) return matrixError(403, 'M_FORBIDDEN', 'You are not a server admin');
    // readJson: a body that is not JSON gets the server's 400 M_NOT_JSON.
    const body = await readJson<{ user_id?: unknown; expiration_ts?: unknown } | null>(request);
    if (typeof body?.user_id !== 'string')
      return matrixError(400, 'M_MISSING_PARAM', 'user_id (a string) is required');
    if (body.expiration_ts !== undefined && !Number.isInteger(body.expiration_ts))
      return matrixError(400, 'M_INVALID_PARAM', 'expiration_ts must be an integer (ms)');
    const expirationTs =
      (body.expiration_ts as number | undefined) ?? this.api.now() + this.periodMs;
    await this.store.setExpiration(body.user_id, expirationTs);
    return Response.json({ expiration_ts: expirationTs });
  }
}
