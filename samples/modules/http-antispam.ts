/**
 * http_antispam: forwards spam-checker callbacks to an HTTP service, after
 * maunium/synapse-http-antispam.
 *
 * Each enabled callback POSTs its arguments as a JSON object to `<base_url>/<callback>`, with
 * `Authorization: Bearer <authorization>`. A 2xx answer allows. Any other answer rejects: its
 * JSON body is returned to the client, `errcode` defaulting to M_FORBIDDEN (for registration, a
 * body with `"shadow_ban": true` shadow-bans instead of denying). When the service is down, times
 * out or answers something that is not JSON, the callback fails closed (M_UNKNOWN) unless
 * `fail_open` says otherwise for it.
 *
 * Registration is imperative (`api.registerSpamCheckerCallbacks`, Synapse's
 * `register_spam_checker_callbacks`), since which callbacks exist depends on the config.
 */
import { Module } from 'modhost/decorators';
import { Codes, HttpResponseError, ModuleApi, NOT_SPAM, parseDuration } from 'modhost';
import { HttpAntispamConfig } from './http-antispam.config.js';
import { type AnswerKind, FORWARDED_CALLBACKS } from './http-antispam.callbacks.js';

/** What the service said: allow, or reject with a Matrix error body. */
type ServiceAnswer =
  { allow: true } | { allow: false; errcode: string; fields: Record<string, unknown> };

const REGISTRATION = { allow: 'allow', deny: 'deny', shadowBan: 'shadow_ban' } as const;

@Module({ name: 'http_antispam', config: HttpAntispamConfig })
export class HttpAntispam {
  private readonly headers: Record<string, string> = {};
  private readonly timeoutMs: number;
  private readonly baseUrl: string;
  /** The callbacks registered, in the order of FORWARDED_CALLBACKS. */
  readonly enabled: readonly string[];

  constructor(
    private readonly api: ModuleApi,
    private readonly config: HttpAntispamConfig,
  ) {
    if (config.authorization) this.headers.authorization = `Bearer ${config.authorization}`;
    this.timeoutMs = parseDuration(config.timeout, 'http_antispam timeout');
    this.baseUrl = config.base_url.replace(/\/+$/, '');
    const wanted = new Set(config.enabled_callbacks ?? Object.keys(FORWARDED_CALLBACKS));
    this.enabled = Object.keys(FORWARDED_CALLBACKS).filter((name) => wanted.has(name));
    const callbacks: Record<string, (...args: unknown[]) => Promise<any>> = {};
    for (const name of this.enabled) callbacks[name] = (...args) => this.forward(name, args);
    api.registerSpamCheckerCallbacks(callbacks);
  }

  /** Sends one callback to the service and turns the answer into that callback's result. */
  async forward(name: string, args: readonly unknown[]): Promise<unknown> {
    const { fields, answer } = FORWARDED_CALLBACKS[name]!;
    const body: Record<string, unknown> = {};
    fields.forEach((field, i) => (body[field] = args[i] ?? null));
    if (this.config.async[name]) {
      void this.api.runInBackground(`http_antispam ${name}`, () => this.ask(name, body));
      return allowed(answer);
    }
    return toResult(answer, await this.ask(name, body));
  }

  private async ask(name: string, body: Record<string, unknown>): Promise<ServiceAnswer> {
    const url = `${this.baseUrl}/${name}`;
    try {
      await this.api.http.request('POST', url, {
        body,
        headers: this.headers,
        timeout: this.timeoutMs,
      });
      return { allow: true };
    } catch (err) {
      if (err instanceof HttpResponseError) {
        const parsed = parseObject(err.body);
        if (parsed) {
          const { errcode, ...rest } = parsed;
          return {
            allow: false,
            errcode: typeof errcode === 'string' ? errcode : Codes.FORBIDDEN,
            fields: rest,
          };
        }
        this.api.logger.warn(
          { url, status: err.status, body: err.body.slice(0, 200) },
          'the antispam service answered something that is not a JSON object',
        );
      } else {
        this.api.logger.warn({ url, err }, 'the antispam service could not be reached');
      }
      if (this.config.fail_open[name]) return { allow: true };
      return {
        allow: false,
        errcode: Codes.UNKNOWN,
        fields: { error: 'The antispam service is unavailable' },
      };
    }
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function allowed(kind: AnswerKind): unknown {
  if (kind === 'registration') return REGISTRATION.allow;
  return kind === 'flag' ? false : NOT_SPAM;
}

function toResult(kind: AnswerKind, answer: ServiceAnswer): unknown {
  if (answer.allow) return allowed(kind);
  if (kind === 'registration')
    return answer.fields.shadow_ban === true ? REGISTRATION.shadowBan : REGISTRATION.deny;
  if (kind === 'flag') return true;
  return [answer.errcode, answer.fields];
}
