/**
 * Stand-ins for the services a real deployment would run elsewhere, served by the demo under
 * /_demo/ so `npm start` needs nothing else:
 * - an antispam service for http_antispam (`POST /_demo/antispam/<callback>`), which rejects
 *   messages and usernames containing a banned word;
 * - a department directory for the department module (`GET/PUT /_demo/directory`);
 * - the outbox of notices the homeserver "e-mailed" (`GET /_demo/outbox`).
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { ChatState } from './chat-state.js';
import { readJsonBody } from './http-util.js';
import { matrixError } from './matrix-error.js';

export const DEMO_PREFIX = '/_demo/';

export interface DemoServicesOptions {
  /** The bearer token the antispam service expects (http_antispam's `authorization`). */
  antispamSecret: string;
  bannedWords: readonly string[];
  /** Initial directory: user ID → department. Unknown users are in `general`. */
  departments?: Record<string, string>;
}

export class DemoServices {
  /** Requests the antispam service received, newest last (what it was asked). */
  readonly antispamRequests: { callback: string; body: Record<string, any> }[] = [];
  private readonly departments: Map<string, string>;

  constructor(
    private readonly state: ChatState,
    private readonly options: DemoServicesOptions,
  ) {
    this.departments = new Map(Object.entries(options.departments ?? {}));
  }

  async handle(req: IncomingMessage, url: URL): Promise<[number, unknown]> {
    const path = url.pathname.slice(DEMO_PREFIX.length);
    if (path.startsWith('antispam/') && req.method === 'POST')
      return this.antispam(path.slice('antispam/'.length), req);
    if (path === 'directory' && req.method === 'GET') {
      const userId = url.searchParams.get('user_id');
      if (!userId) throw matrixError(400, 'M_MISSING_PARAM', 'user_id is required');
      return [200, { user_id: userId, department: this.departments.get(userId) ?? 'general' }];
    }
    if (path === 'directory' && req.method === 'PUT') {
      const body = await readJsonBody(req);
      if (typeof body.user_id !== 'string' || typeof body.department !== 'string')
        throw matrixError(400, 'M_BAD_JSON', 'user_id and department (strings) are required');
      this.departments.set(body.user_id, body.department);
      return [200, { user_id: body.user_id, department: body.department }];
    }
    if (path === 'outbox' && req.method === 'GET') {
      const userId = url.searchParams.get('user_id');
      const notices = this.state.outbox.filter((n) => !userId || n.userId === userId);
      return [200, { notices }];
    }
    throw matrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request');
  }

  private authorised(req: IncomingMessage): boolean {
    const given = Buffer.from(String(req.headers.authorization ?? ''));
    const expected = Buffer.from(`Bearer ${this.options.antispamSecret}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async antispam(callback: string, req: IncomingMessage): Promise<[number, unknown]> {
    if (!this.authorised(req)) return [401, { errcode: 'M_UNAUTHORIZED', error: 'Bad secret' }];
    const body = await readJsonBody(req);
    this.antispamRequests.push({ callback, body });
    const banned = (text: unknown) =>
      typeof text === 'string'
        ? this.options.bannedWords.find((w) => text.toLowerCase().includes(w))
        : undefined;
    if (callback === 'check_event_for_spam') {
      const word = banned(body.event?.content?.body);
      if (word)
        return [
          400,
          { errcode: 'M_FORBIDDEN', error: `Message contains the banned word "${word}"` },
        ];
    }
    if (callback === 'check_registration_for_spam') {
      const word = banned(body.username);
      if (word) return [400, { errcode: 'M_FORBIDDEN', error: `Username contains "${word}"` }];
    }
    return [200, {}];
  }
}
