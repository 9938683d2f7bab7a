/**
 * The demo chat server: an application that embeds a `ModuleHost`. It serves its own
 * Matrix-like endpoints (and the /_demo/ stand-in services) on its own `node:http` server, and
 * hands every other request to the module host, which serves the modules' web resources (and
 * /health). The module host itself does not listen (`server.listen: false` in demo.yaml).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ConnectionDrain,
  listenFailedError,
  RequestProblem,
  type ModuleHost,
  type Provider,
} from 'modhost';
import { HOMESERVER_API } from '../modules/homeserver-api.js';
import { ChatState } from './chat-state.js';
import { CLIENT_PREFIX, ClientApi } from './client-api.js';
import { DemoHomeserverApi } from './demo-homeserver-api.js';
import { DEMO_PREFIX, DemoServices, type DemoServicesOptions } from './demo-services.js';
import { forwardToHost } from './fetch-bridge.js';
import { Homeserver } from './homeserver.js';
import { requestUrl, sendJson } from './http-util.js';
import { errorBody } from './matrix-error.js';
import { DemoStore } from './demo-store.js';

export interface DemoOptions {
  serverName?: string;
  /** Localparts that are admins (default `admin`). */
  admins?: readonly string[];
  services?: Partial<DemoServicesOptions>;
}

/** Must equal http_antispam's `authorization` in demo.yaml. */
export const DEMO_ANTISPAM_SECRET = 'demo-antispam-secret';

export class Demo {
  readonly state: ChatState;
  readonly homeserver: Homeserver;
  readonly services: DemoServices;
  /** What the demo gives modules: its `HomeserverApi`. Pass to `ModuleHost.fromConfigFile`. */
  readonly providers: Provider[];
  private readonly clientApi: ClientApi;
  private host?: ModuleHost;
  private store?: DemoStore;
  private connections?: ConnectionDrain;
  private baseUrl?: string;

  constructor(options: DemoOptions = {}) {
    this.state = new ChatState(options.serverName ?? 'localhost');
    this.homeserver = new Homeserver(this.state, options.admins ?? ['admin']);
    this.services = new DemoServices(this.state, {
      antispamSecret: DEMO_ANTISPAM_SECRET,
      bannedWords: ['viagra', 'spam'],
      departments: {
        [this.state.userId('alice')]: 'engineering',
        [this.state.userId('bob')]: 'sales',
      },
      ...options.services,
    });
    this.clientApi = new ClientApi(this.homeserver);
    this.providers = [
      { provide: HOMESERVER_API, useValue: new DemoHomeserverApi(this.homeserver) },
    ];
  }

  get url(): string | undefined {
    return this.baseUrl;
  }

  /**
   * Starts the module host, loads the demo's state from its namespace of the host's database,
   * and routes module requests and callbacks to the host.
   */
  async attach(host: ModuleHost): Promise<void> {
    this.homeserver.attach(host);
    await host.start();
    const store = new DemoStore(host.database('demo'), this.state);
    try {
      await store.load();
    } catch (err) {
      await host.stop();
      throw err;
    }
    this.store = store;
    this.host = host;
  }

  /** Writes what changed to the database (each request does it before answering). */
  async persist(): Promise<void> {
    await this.store?.save();
  }

  /**
   * Listens on `bind:port` (0 = ephemeral); resolves to the base URL. A busy port rejects with
   * MODHOST_LISTEN_FAILED, as `modhost serve` reports it; `settings` names where the port came from.
   */
  listen(port: number, bind = '127.0.0.1', settings?: string): Promise<string> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    const connections = new ConnectionDrain(server);
    // CONNECT never reaches 'request': answer it as the module host does, then close.
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) =>
        reject(listenFailedError(bind, port, err, settings));
      server.once('error', onError);
      server.listen(port, bind, () => {
        server.off('error', onError);
        const address = server.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.connections = connections;
        this.baseUrl = `http://${host}:${address.port}`;
        resolve(this.baseUrl);
      });
    });
  }

  /**
   * Stops listening and drains as the module host's own server does (answers carry
   * `Connection: close`, idle keep-alive connections close without dropping a request on its
   * way, within `server.drain_timeout`), then stops the module host (onStop, loops).
   */
  async close(): Promise<void> {
    const connections = this.connections;
    this.connections = undefined;
    await connections?.close({ timeout: this.host?.config.server.drain_timeout ?? 10_000 });
    // Loops may have changed state since the last request (notices sent).
    await this.persist().catch((err: Error) =>
      this.host?.logger.error({ err }, 'saving the demo state failed'),
    );
    await this.host?.stop();
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = requestUrl(req);
      if (url instanceof RequestProblem) return sendJson(res, url.status, url.body);
      if (url.pathname.startsWith(DEMO_PREFIX)) {
        const [status, body] = await this.services.handle(req, url);
        await this.persist();
        return sendJson(res, status, body);
      }
      if (url.pathname.startsWith(`${CLIENT_PREFIX}/`)) {
        const [status, body] = await this.clientApi.handle(req, url).finally(() => this.persist());
        return sendJson(res, status, body);
      }
      if (!this.host)
        return sendJson(res, 503, { errcode: 'M_UNKNOWN', error: 'The module host is starting' });
      await forwardToHost(this.host, req, res, url);
      // A module's resource may have changed the demo's state through its HomeserverApi.
      await this.persist();
    } catch (error) {
      const { status, body } = errorBody(error);
      if (status === 500)
        this.host?.logger.error({ err: error, url: req.url }, 'demo request failed');
      if (!res.headersSent) sendJson(res, status, body);
      else res.destroy();
    }
  }
}
