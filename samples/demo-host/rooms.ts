/**
 * Rooms of the demo homeserver: creation, invites, joins, leaves, messages and reading the
 * timeline, each calling the module callbacks where Synapse does.
 */
import { Codes } from 'modhost';
import type { ChatState, DemoRoom } from './chat-state.js';
import type { Events } from './events.js';
import type { HostLink } from './host-link.js';
import { matrixError } from './matrix-error.js';
import type { Requester } from './requester.js';
import { spamRejection } from './spam-verdicts.js';

export class Rooms {
  constructor(
    private readonly state: ChatState,
    private readonly link: HostLink,
    private readonly events: Events,
  ) {}

  private get callbacks() {
    return this.link.callbacks;
  }

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
    await this.events.send(creator, room, {
      type: 'm.room.create',
      state_key: '',
      content: { creator },
    });
    await this.events.send(creator, room, {
      type: 'm.room.member',
      state_key: creator,
      content: { membership: 'join' },
    });
    if (typeof request.name === 'string')
      await this.events.send(creator, room, {
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
    await this.events.send(inviter, room, { type: 'm.room.member', state_key: invitee, content });
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
    await this.events.send(userId, room, {
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
    await this.events.send(userId, room, {
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
    return this.events.send(requester.user_id, room, {
      type,
      content: content as Record<string, any>,
    });
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
      if (!this.callbacks.has('add_extra_fields_to_unsigned', 'add_field_to_unsigned')) {
        chunk.push(event);
        continue;
      }
      // The callback gets a frozen copy (its argument rule); the stored event is not changed:
      // the served one is a new object with the extra fields under the event's own.
      const extra = (await this.callbacks.run(
        'add_extra_fields_to_unsigned',
        'add_field_to_unsigned',
        event,
      )) as Record<string, unknown>;
      chunk.push({ ...event, unsigned: { ...extra, ...event.unsigned } });
    }
    return { chunk };
  }
}
