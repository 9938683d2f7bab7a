/** The demo's implementation of the samples' `HomeserverApi`, provided to every module. */
import type { HomeserverApi, Membership, Notice, Requester } from '../modules/homeserver-api.js';
import type { Homeserver } from './homeserver.js';
import { accessToken } from './http-util.js';

export class DemoHomeserverApi implements HomeserverApi {
  constructor(private readonly homeserver: Homeserver) {}

  get serverName(): string {
    return this.homeserver.serverName;
  }

  isMine(userId: string): boolean {
    return this.homeserver.state.isMine(userId);
  }

  async userExists(userId: string): Promise<boolean> {
    return this.homeserver.state.users.has(userId);
  }

  registerUser(localpart: string, options: { displayname?: string } = {}): Promise<string> {
    return this.homeserver.accounts.registerWithoutPassword(localpart, options.displayname);
  }

  /** As Synapse's `update_room_membership`: runs the same checks a client's request would. */
  async updateRoomMembership(
    sender: string,
    target: string,
    roomId: string,
    membership: Membership,
  ): Promise<void> {
    if (membership === 'invite') return this.homeserver.rooms.invite(sender, roomId, target);
    if (sender !== target)
      throw new Error(
        `${membership} must be sent by the user themselves (${target}), not ${sender}`,
      );
    if (membership === 'join') return this.homeserver.rooms.join(target, roomId);
    return this.homeserver.rooms.leave(target, roomId);
  }

  async getUserByRequest(request: Request): Promise<Requester | null> {
    const token = accessToken(request.headers.get('authorization'), new URL(request.url));
    const session = token ? this.homeserver.state.sessions.get(token) : undefined;
    if (!session) return null;
    const user = this.homeserver.state.users.get(session.userId);
    return { userId: session.userId, isAdmin: user?.isAdmin ?? false };
  }

  /** The demo has no mail server: notices land in an outbox (GET /_demo/outbox). */
  async notifyUser(userId: string, notice: Notice): Promise<boolean> {
    const user = this.homeserver.state.users.get(userId);
    if (!user?.email) return false;
    this.homeserver.state.outbox.push({
      userId,
      to: user.email,
      ...notice,
      ts: this.homeserver.now(),
    });
    return true;
  }
}
