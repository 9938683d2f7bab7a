/**
 * The demo's in-memory data: users, access tokens, rooms and their events, and the notices
 * sent to users. No module logic here; `Homeserver` decides, this only stores.
 */
import { randomBytes } from 'node:crypto';
import { stateKey } from 'modhost';

export interface DemoEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  state_key?: string;
  content: Record<string, any>;
  origin_server_ts: number;
  unsigned?: Record<string, any>;
}

export interface DemoUser {
  userId: string;
  /** scrypt hash; undefined for users created by a module (no password). */
  passwordHash?: string;
  displayname?: string;
  email?: string;
  isAdmin: boolean;
  /** Registration was shadow-banned: the user's actions seem to work but reach nobody. */
  shadowBanned: boolean;
}

export interface DemoRoom {
  roomId: string;
  creator: string;
  isPublic: boolean;
  /** Current state, keyed by `stateKey(type, state_key)`. */
  state: Map<string, DemoEvent>;
  timeline: DemoEvent[];
}

export interface SentNotice {
  userId: string;
  to: string;
  subject: string;
  text: string;
  ts: number;
}

export interface Session {
  userId: string;
  deviceId: string;
}

export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}

export class ChatState {
  readonly users = new Map<string, DemoUser>();
  readonly sessions = new Map<string, Session>();
  readonly rooms = new Map<string, DemoRoom>();
  readonly outbox: SentNotice[] = [];

  constructor(readonly serverName: string) {}

  userId(localpart: string): string {
    return `@${localpart}:${this.serverName}`;
  }

  isMine(userId: string): boolean {
    return userId.startsWith('@') && userId.endsWith(`:${this.serverName}`);
  }

  newSession(userId: string, deviceId = randomId(6).toUpperCase()): string {
    const token = `syt_${randomId(24)}`;
    this.sessions.set(token, { userId, deviceId });
    return token;
  }

  newRoomId(): string {
    return `!${randomId(9)}:${this.serverName}`;
  }

  newEventId(): string {
    return `$${randomId(18)}`;
  }

  membership(room: DemoRoom, userId: string): string | undefined {
    return room.state.get(stateKey('m.room.member', userId))?.content.membership as
      string | undefined;
  }
}
