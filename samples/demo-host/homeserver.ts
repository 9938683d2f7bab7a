/**
 * The demo homeserver's operations. Each calls the module callbacks at the point Synapse does,
 * skipping the argument building when no module registered the callback (`callbacks.has`).
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { Codes, RegistrationBehaviour, stateKey, supportedLoginTypes } from 'modhost';
import type { ModuleHost } from 'modhost';
import { ChatState, type DemoEvent, type DemoRoom, type DemoUser, randomId } from './chat-state.js';
import { matrixError } from './matrix-error.js';
import { spamRejection } from './spam-verdicts.js';

type Callbacks = ModuleHost['callbacks'];

/** Who is asking, as modules see it (Synapse's Requester, as JSON). */
export interface Requester {
  user_id: string;
  device_id: string;
  is_guest: boolean;
}

/** The user agent and IP of the HTTP request, as Synapse's `request_info`. */
export type RequestInfo = [userAgent: string, ip: string][];

export interface LoginResult {
  user_id: string;
  access_token: string;
  device_id: string;
  home_server: string;
}

type PostLogin = (response: Record<string, unknown>) => unknown;

const LOCALPART = /^[a-z0-9._=\-/]+$/;

function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
}

function checkPassword(password: string, stored: string): boolean {
  const [salt, hash] = stored.split(':');
  const computed = scryptSync(password, Buffer.from(salt!, 'hex'), 32);
  return timingSafeEqual(computed, Buffer.from(hash!, 'hex'));
}

export class Homeserver {
  private callbacksRef?: Callbacks;

  constructor(
    readonly state: ChatState,
    /** Localparts that are server admins (a demo shortcut for Synapse's `admin` flag). */
    private readonly adminLocalparts: readonly string[] = ['admin'],
    /** ms since the epoch; the host's clock once attached. */
    public now: () => number = () => Date.now(),
  ) {}

  /** Connects the module host; its callbacks are called from then on. */
  attach(host: ModuleHost): void {
    this.callbacksRef = host.callbacks;
    this.now = () => host.clock.now();
  }

  get serverName(): string {
    return this.state.serverName;
  }

  private get callbacks(): Callbacks {
    if (!this.callbacksRef) throw new Error('the module host is not attached yet');
    return this.callbacksRef;
  }

  // ---- users ----

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

  private session(userId: string, deviceId?: string): LoginResult {
    const token = this.state.newSession(userId, deviceId);
    return {
      user_id: userId,
      access_token: token,
      device_id: this.state.sessions.get(token)!.deviceId,
      home_server: this.serverName,
    };
  }

  /** GET /login: the password login, plus every login type a module registered. */
  loginFlows(): { type: string }[] {
    const types = new Set(['m.login.password', ...supportedLoginTypes(this.callbacks).keys()]);
    return [...types].map((type) => ({ type }));
  }

  /** POST /login: module auth checkers first, then the local password; then the login checks. */
  async login(body: Record<string, unknown>, requestInfo: RequestInfo): Promise<LoginResult> {
    const loginType = body.type;
    if (typeof loginType !== 'string')
      throw matrixError(400, Codes.MISSING_PARAM, 'type is required');
    const identifier = body.identifier as { type?: string; user?: unknown } | undefined;
    const username = identifier?.user ?? body.user;
    if (typeof username !== 'string' || username === '')
      throw matrixError(400, Codes.MISSING_PARAM, 'identifier.user is required');
    const supported = this.loginFlows().some((f) => f.type === loginType);
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
    await this.assertNotExpired(userId);
    if (cb.has('account_validity', 'on_user_login'))
      await cb.run('account_validity', 'on_user_login', userId, loginType, null);
    const response = this.session(userId, deviceId);
    if (postLogin) await postLogin({ ...response });
    return response;
  }

  private checkLocalPassword(username: string, password: unknown): string | undefined {
    const userId = username.startsWith('@') ? username : this.state.userId(username.toLowerCase());
    const user = this.state.users.get(userId);
    if (!user?.passwordHash || typeof password !== 'string') return undefined;
    return checkPassword(password, user.passwordHash) ? userId : undefined;
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

  // ---- profile ----

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

  // ---- rooms ----

  room(roomId: string): DemoRoom {
    const room = this.state.rooms.get(roomId);
    if (!room) throw matrixError(404, Codes.NOT_FOUND, 'Unknown room');
    return room;
  }

  /** POST /createRoom: spam check, on_create_room (may change the request), then invites. */
  async createRoom(requester: Requester, request: Record<string, any>): Promise<string> {
    const cb = this.callbacks;
    const invitees: unknown = request.invite ?? [];
    if (!Array.isArray(invitees) || !invitees.every((i) => typeof i === 'string'))
      throw matrixError(400, Codes.BAD_JSON, 'invite must be a list of user IDs');
    if (cb.has('spam_checker', 'user_may_create_room')) {
      const verdict = await cb.run(
        'spam_checker',
        'user_may_create_room',
        requester.user_id,
        request,
      );
      const rejected = spamRejection(verdict, 'You are not permitted to create rooms');
      if (rejected) throw rejected;
    }
    if (cb.has('third_party_rules', 'on_create_room')) {
      const isAdmin = this.state.users.get(requester.user_id)?.isAdmin ?? false;
      await cb.run('third_party_rules', 'on_create_room', requester, request, isAdmin);
    }
    const roomId = this.state.newRoomId();
    const room: DemoRoom = {
      roomId,
      creator: requester.user_id,
      isPublic: request.preset === 'public_chat' || request.visibility === 'public',
      state: new Map(),
      timeline: [],
    };
    this.state.rooms.set(roomId, room);
    const creator = requester.user_id;
    await this.sendEvent(creator, room, {
      type: 'm.room.create',
      state_key: '',
      content: { creator },
    });
    await this.sendEvent(creator, room, {
      type: 'm.room.member',
      state_key: creator,
      content: { membership: 'join' },
    });
    if (typeof request.name === 'string')
      await this.sendEvent(creator, room, {
        type: 'm.room.name',
        state_key: '',
        content: { name: request.name },
      });
    for (const invitee of invitees as string[])
      await this.invite(requester.user_id, roomId, invitee, request.is_direct === true);
    return roomId;
  }

  /** POST /rooms/{id}/invite: user_may_invite, then the invite event. */
  async invite(inviter: string, roomId: string, invitee: string, isDirect = false): Promise<void> {
    const room = this.room(roomId);
    if (this.state.membership(room, inviter) !== 'join')
      throw matrixError(403, Codes.FORBIDDEN, 'You are not in this room');
    if (this.state.isMine(invitee) && !this.state.users.has(invitee))
      throw matrixError(404, Codes.NOT_FOUND, `Unknown user ${invitee}`);
    const current = this.state.membership(room, invitee);
    if (current === 'join' || current === 'invite')
      throw matrixError(403, Codes.FORBIDDEN, `${invitee} is already in the room`);
    if (this.callbacks.has('spam_checker', 'user_may_invite')) {
      const verdict = await this.callbacks.run(
        'spam_checker',
        'user_may_invite',
        inviter,
        invitee,
        roomId,
      );
      const rejected = spamRejection(verdict, 'You are not permitted to invite this user');
      if (rejected) throw rejected;
    }
    const content: Record<string, unknown> = { membership: 'invite' };
    if (isDirect) content.is_direct = true;
    await this.sendEvent(inviter, room, { type: 'm.room.member', state_key: invitee, content });
  }

  /** POST /rooms/{id}/join: invited users (or anyone, in a public room) may join. */
  async join(userId: string, roomId: string): Promise<void> {
    const room = this.room(roomId);
    const current = this.state.membership(room, userId);
    if (current === 'join') return;
    const isInvited = current === 'invite';
    if (!isInvited && !room.isPublic)
      throw matrixError(403, Codes.FORBIDDEN, 'You are not invited to this room');
    if (this.callbacks.has('spam_checker', 'user_may_join_room')) {
      const verdict = await this.callbacks.run(
        'spam_checker',
        'user_may_join_room',
        userId,
        roomId,
        isInvited,
      );
      const rejected = spamRejection(verdict, 'You are not permitted to join this room');
      if (rejected) throw rejected;
    }
    await this.sendEvent(userId, room, {
      type: 'm.room.member',
      state_key: userId,
      content: { membership: 'join' },
    });
  }

  async leave(userId: string, roomId: string): Promise<void> {
    const room = this.room(roomId);
    const current = this.state.membership(room, userId);
    if (current !== 'join' && current !== 'invite')
      throw matrixError(403, Codes.FORBIDDEN, 'You are not in this room');
    await this.sendEvent(userId, room, {
      type: 'm.room.member',
      state_key: userId,
      content: { membership: 'leave' },
    });
  }

  /** PUT /rooms/{id}/send/{type}: only members may send. */
  async sendMessage(
    requester: Requester,
    roomId: string,
    type: string,
    content: unknown,
  ): Promise<string> {
    const room = this.room(roomId);
    if (this.state.membership(room, requester.user_id) !== 'join')
      throw matrixError(403, Codes.FORBIDDEN, 'You are not in this room');
    if (content === null || typeof content !== 'object' || Array.isArray(content))
      throw matrixError(400, Codes.BAD_JSON, 'The event content must be a JSON object');
    return this.sendEvent(requester.user_id, room, {
      type,
      content: content as Record<string, any>,
    });
  }

  /**
   * Every event goes through check_event_for_spam, then check_event_allowed (which may replace
   * it), is stored, then on_new_event observes it — Synapse's event creation path.
   */
  async sendEvent(
    sender: string,
    room: DemoRoom,
    draft: { type: string; state_key?: string; content: Record<string, any> },
  ): Promise<string> {
    const cb = this.callbacks;
    let event: DemoEvent = {
      event_id: this.state.newEventId(),
      room_id: room.roomId,
      sender,
      type: draft.type,
      ...(draft.state_key !== undefined ? { state_key: draft.state_key } : {}),
      content: draft.content,
      origin_server_ts: this.now(),
    };
    if (cb.has('spam_checker', 'check_event_for_spam')) {
      const verdict = await cb.run('spam_checker', 'check_event_for_spam', structuredClone(event));
      const rejected = spamRejection(verdict, 'This message has been rejected as probable spam');
      if (rejected) throw rejected;
    }
    if (cb.has('third_party_rules', 'check_event_allowed')) {
      const [allowed, replacement] = (await cb.run(
        'third_party_rules',
        'check_event_allowed',
        structuredClone(event),
        this.stateEvents(room),
      )) as [boolean, Record<string, any> | null];
      if (!allowed)
        throw matrixError(403, Codes.FORBIDDEN, 'This event is not allowed in this context');
      // A module may rewrite the content; identity fields stay the server's.
      if (replacement) event = { ...event, content: replacement.content ?? event.content };
    }
    if (this.state.users.get(sender)?.shadowBanned) return event.event_id;
    room.timeline.push(event);
    if (event.state_key !== undefined) room.state.set(stateKey(event.type, event.state_key), event);
    if (cb.has('third_party_rules', 'on_new_event'))
      await cb.run(
        'third_party_rules',
        'on_new_event',
        structuredClone(event),
        this.stateEvents(room),
      );
    return event.event_id;
  }

  /** A copy of the room's current state, as `StateEvents` (keyed by `type|state_key`). */
  private stateEvents(room: DemoRoom): Map<string, DemoEvent> {
    return new Map([...room.state].map(([k, e]) => [k, structuredClone(e)]));
  }

  /** GET /rooms/{id}/messages: members (and past members) read the timeline, newest first. */
  async messages(requester: Requester, roomId: string, dir: 'b' | 'f', limit: number) {
    const room = this.room(roomId);
    const membership = this.state.membership(room, requester.user_id);
    if (membership !== 'join' && membership !== 'leave')
      throw matrixError(403, Codes.FORBIDDEN, 'You are not in this room');
    const events = dir === 'b' ? [...room.timeline].reverse() : [...room.timeline];
    const chunk = [];
    for (const event of events.slice(0, limit)) {
      const served = structuredClone(event);
      if (this.callbacks.has('add_extra_fields_to_unsigned', 'add_field_to_unsigned')) {
        const extra = (await this.callbacks.run(
          'add_extra_fields_to_unsigned',
          'add_field_to_unsigned',
          served,
        )) as Record<string, unknown>;
        served.unsigned = { ...extra, ...served.unsigned };
      }
      chunk.push(served);
    }
    return { chunk };
  }
}
