/**
 * The demo's Matrix-like client endpoints under /_matrix/client/v3. These paths are reserved
 * for the host: modules cannot claim them, so they are served here, before anything reaches the
 * module host.
 */
import type { IncomingMessage } from 'node:http';
import { Codes } from 'modhost';
import type { Homeserver, Requester } from './homeserver.js';
import { accessToken, readJsonBody, requestInfo } from './http-util.js';
import { matrixError } from './matrix-error.js';

export const CLIENT_PREFIX = '/_matrix/client/v3';

interface Call {
  req: IncomingMessage;
  url: URL;
  params: string[];
  body: () => Promise<Record<string, any>>;
  requester: () => Promise<Requester>;
}

type Handler = (call: Call) => Promise<[number, unknown]>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const SEGMENT = '([^/]+)';

export class ClientApi {
  private readonly routes: Route[];

  constructor(private readonly hs: Homeserver) {
    const r = (method: string, path: string, handler: Handler): Route => ({
      method,
      pattern: new RegExp(`^${CLIENT_PREFIX}${path.replaceAll('{}', SEGMENT)}$`),
      handler,
    });
    this.routes = [
      r('POST', '/register', async (c) => [
        200,
        await hs.accounts.register(await c.body(), requestInfo(c.req)),
      ]),
      r('GET', '/login', async () => [200, { flows: hs.login.flows() }]),
      r('POST', '/login', async (c) => [
        200,
        await hs.login.logIn(await c.body(), requestInfo(c.req)),
      ]),
      r('GET', '/account/whoami', async (c) => {
        const who = await c.requester();
        return [200, { user_id: who.user_id, device_id: who.device_id }];
      }),
      r('POST', '/createRoom', async (c) => {
        const who = await c.requester();
        return [200, { room_id: await hs.rooms.createRoom(who, await c.body()) }];
      }),
      r('POST', '/rooms/{}/invite', async (c) => {
        const who = await c.requester();
        const body = await c.body();
        if (typeof body.user_id !== 'string')
          throw matrixError(400, Codes.MISSING_PARAM, 'user_id is required');
        await hs.rooms.invite(who.user_id, c.params[0]!, body.user_id);
        return [200, {}];
      }),
      r('POST', '/rooms/{}/join', async (c) => {
        const who = await c.requester();
        await hs.rooms.join(who.user_id, c.params[0]!);
        return [200, { room_id: c.params[0] }];
      }),
      r('POST', '/rooms/{}/leave', async (c) => {
        const who = await c.requester();
        await hs.rooms.leave(who.user_id, c.params[0]!);
        return [200, {}];
      }),
      r('PUT', '/rooms/{}/send/{}/{}', (c) => this.send(c)),
      r('POST', '/rooms/{}/send/{}', (c) => this.send(c)),
      r('GET', '/rooms/{}/messages', async (c) => {
        const who = await c.requester();
        const dir = c.url.searchParams.get('dir') === 'f' ? 'f' : 'b';
        const limit = Math.min(Number(c.url.searchParams.get('limit') ?? 50) || 50, 1000);
        return [200, await hs.rooms.messages(who, c.params[0]!, dir, limit)];
      }),
      r('GET', '/profile/{}/displayname', async (c) => {
        const user = hs.accounts.user(c.params[0]!);
        if (!user) throw matrixError(404, Codes.NOT_FOUND, 'No such user');
        return [200, { displayname: user.displayname ?? null }];
      }),
      r('PUT', '/profile/{}/displayname', async (c) => {
        const who = await c.requester();
        await hs.accounts.setDisplayname(who, c.params[0]!, (await c.body()).displayname);
        return [200, {}];
      }),
    ];
  }

  private async send(c: Call): Promise<[number, unknown]> {
    const who = await c.requester();
    const eventId = await this.hs.rooms.sendMessage(
      who,
      c.params[0]!,
      c.params[1]!,
      await c.body(),
    );
    return [200, { event_id: eventId }];
  }

  /** Handles a request under CLIENT_PREFIX; the answer is `[status, body]`. */
  async handle(req: IncomingMessage, url: URL): Promise<[number, unknown]> {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      return route.handler({
        req,
        url,
        params,
        body: () => readJsonBody(req),
        requester: () => this.hs.accounts.authenticate(accessToken(req.headers.authorization, url)),
      });
    }
    if (pathMatched) throw matrixError(405, Codes.UNRECOGNIZED, 'Unrecognized request');
    throw matrixError(404, Codes.UNRECOGNIZED, 'Unrecognized request');
  }
}
