/**
 * The demo homeserver: its state and its operations, which call the module callbacks at the
 * points Synapse does. `accounts` (registration, sessions, profiles), `login`, `rooms` and
 * `events` (the event creation path) share one link to the module host.
 */
import type { ModuleHost } from 'modhost';
import { Accounts } from './accounts.js';
import type { ChatState } from './chat-state.js';
import { Events } from './events.js';
import { HostLink } from './host-link.js';
import { Login } from './login.js';
import { Rooms } from './rooms.js';

export type { LoginResult, RequestInfo, Requester } from './requester.js';

export class Homeserver {
  readonly accounts: Accounts;
  readonly login: Login;
  readonly events: Events;
  readonly rooms: Rooms;
  private readonly link = new HostLink();

  constructor(
    readonly state: ChatState,
    /** Localparts that are server admins (a demo shortcut for Synapse's `admin` flag). */
    adminLocalparts: readonly string[] = ['admin'],
  ) {
    this.accounts = new Accounts(state, this.link, adminLocalparts);
    this.login = new Login(state, this.link, this.accounts);
    this.events = new Events(state, this.link);
    this.rooms = new Rooms(state, this.link, this.events);
  }

  /** Connects the module host; its callbacks are called from then on. */
  attach(host: ModuleHost): void {
    this.link.attach(host);
  }

  get serverName(): string {
    return this.state.serverName;
  }

  /** ms since the epoch, on the module host's clock. */
  now(): number {
    return this.link.now();
  }
}
