/**
 * The demo's own state (users, sessions, rooms with their events, the notice outbox) in the
 * modules' database under a namespace of its own (`host.database('demo')`, schema `host_demo`),
 * as a host application keeps its data beside its modules'. ChatState stays the working copy the
 * homeserver code reads synchronously; it is loaded from the database at start, and what a
 * request changed is written (in one transaction) before its response goes out. So the README's
 * walkthrough survives a restart of the demo.
 */
import type { Migration, ModuleDatabase, Queryable } from 'modhost';
import type {
  ChatState,
  DemoEvent,
  DemoRoom,
  DemoUser,
  SentNotice,
  Session,
} from './chat-state.js';

export const DEMO_MIGRATIONS: Migration[] = [
  {
    id: '001_state',
    up: `create table users (user_id text primary key, data jsonb not null);
         create table sessions (token text primary key, data jsonb not null);
         create table rooms (room_id text primary key, data jsonb not null);
         create table outbox (seq integer primary key, data jsonb not null);`,
  },
];

interface StoredRoom {
  roomId: string;
  creator: string;
  isPublic: boolean;
  state: [string, DemoEvent][];
  timeline: DemoEvent[];
}

function roomJson(room: DemoRoom): string {
  const stored: StoredRoom = {
    roomId: room.roomId,
    creator: room.creator,
    isPublic: room.isPublic,
    state: [...room.state],
    timeline: room.timeline,
  };
  return JSON.stringify(stored);
}

export class DemoStore {
  /** What the database holds, as JSON per key: a save writes only what differs. */
  private readonly saved = {
    users: new Map<string, string>(),
    sessions: new Map<string, string>(),
    rooms: new Map<string, string>(),
  };
  private savedOutbox = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: ModuleDatabase,
    private readonly state: ChatState,
  ) {}

  /** Creates the tables if needed and loads everything into the working copy. */
  async load(): Promise<void> {
    await this.db.migrate(DEMO_MIGRATIONS);
    const rows = async <T>(table: string, key: string) =>
      (await this.db.query<{ k: string; data: T }>(`select ${key} as k, data from ${table}`)).rows;
    for (const { k, data } of await rows<DemoUser>('users', 'user_id')) {
      this.state.users.set(k, data);
      this.saved.users.set(k, JSON.stringify(data));
    }
    for (const { k, data } of await rows<Session>('sessions', 'token')) {
      this.state.sessions.set(k, data);
      this.saved.sessions.set(k, JSON.stringify(data));
    }
    for (const { k, data } of await rows<StoredRoom>('rooms', 'room_id')) {
      const room: DemoRoom = { ...data, state: new Map(data.state) };
      this.state.rooms.set(k, room);
      this.saved.rooms.set(k, roomJson(room));
    }
    const notices = await this.db.query<{ data: SentNotice }>(
      'select data from outbox order by seq',
    );
    this.state.outbox.push(...notices.rows.map((r) => r.data));
    this.savedOutbox = this.state.outbox.length;
  }

  /** Writes what changed since the last save; saves run one after another. */
  save(): Promise<void> {
    this.saving = this.saving.catch(() => undefined).then(() => this.saveNow());
    return this.saving;
  }

  private async saveNow(): Promise<void> {
    const users = this.changes(this.saved.users, this.state.users, (u) => JSON.stringify(u));
    const sessions = this.changes(this.saved.sessions, this.state.sessions, (s) =>
      JSON.stringify(s),
    );
    const rooms = this.changes(this.saved.rooms, this.state.rooms, roomJson);
    const notices = this.state.outbox.slice(this.savedOutbox);
    if (users.size + sessions.size + rooms.size + notices.length === 0) return;
    const base = this.savedOutbox;
    await this.db.transaction(async (tx) => {
      await upsert(tx, 'users', 'user_id', users);
      await upsert(tx, 'sessions', 'token', sessions);
      await upsert(tx, 'rooms', 'room_id', rooms);
      for (const [i, notice] of notices.entries())
        await tx.query('insert into outbox (seq, data) values ($1, $2)', [
          base + i,
          JSON.stringify(notice),
        ]);
    });
    // Recorded only once committed: a failed save is retried whole by the next one.
    for (const [k, v] of users) this.saved.users.set(k, v!);
    for (const [k, v] of sessions) this.saved.sessions.set(k, v!);
    for (const [k, v] of rooms) this.saved.rooms.set(k, v!);
    for (const map of [this.saved.users, this.saved.sessions, this.saved.rooms])
      for (const [k, v] of map) if (v === undefined) map.delete(k);
    this.savedOutbox = base + notices.length;
  }

  /** Keys whose JSON differs from the saved one; undefined for keys gone from the working copy. */
  private changes<T>(
    saved: Map<string, string>,
    current: Map<string, T>,
    json: (value: T) => string,
  ): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>();
    for (const [k, v] of current) {
      const text = json(v);
      if (saved.get(k) !== text) out.set(k, text);
    }
    for (const k of saved.keys()) if (!current.has(k)) out.set(k, undefined);
    return out;
  }
}

async function upsert(
  tx: Queryable,
  table: string,
  key: string,
  changes: Map<string, string | undefined>,
): Promise<void> {
  for (const [k, data] of changes) {
    if (data === undefined) await tx.query(`delete from ${table} where ${key} = $1`, [k]);
    else
      await tx.query(
        `insert into ${table} (${key}, data) values ($1, $2)
         on conflict (${key}) do update set data = excluded.data`,
        [k, data],
      );
  }
}
