/**
 * What a Matrix-like host offers its modules beyond modhost's `ModuleApi`.
 *
 * Synapse puts these on its own ModuleApi (`register_user`, `update_room_membership`,
 * `get_user_by_req`, ...). modhost's ModuleApi knows nothing about users or rooms, so a chat host
 * publishes this interface as its module SDK and provides an implementation under a token:
 * `ModuleHost.create({ providers: [{ provide: HOMESERVER_API, useValue: impl }] })`. A module asks
 * for it with `@Inject(HOMESERVER_API) homeserver: HomeserverApi` in its constructor (an
 * interface leaves no runtime type to inject by, hence the token).
 */

/** The injection token the host provides its `HomeserverApi` under. */
export const HOMESERVER_API: unique symbol = Symbol.for('modhost.samples.HomeserverApi');

/** Who made an authenticated request. */
export interface Requester {
  userId: string;
  isAdmin: boolean;
}

export type Membership = 'join' | 'leave' | 'invite';

/** A message for a user, delivered by whatever channel the host has (e-mail in Synapse). */
export interface Notice {
  subject: string;
  text: string;
}

export interface HomeserverApi {
  /** The server name user IDs end with (`@alice:<serverName>`). */
  readonly serverName: string;

  /** Whether `userId` belongs to this server. */
  isMine(userId: string): boolean;

  userExists(userId: string): Promise<boolean>;

  /** Creates a user and returns the full user ID; fails if the localpart is taken. */
  registerUser(localpart: string, options?: { displayname?: string }): Promise<string>;

  /** Changes `target`'s membership of `roomId` as `sender` (a join is sent by the joiner). */
  updateRoomMembership(
    sender: string,
    target: string,
    roomId: string,
    membership: Membership,
  ): Promise<void>;

  /** The user an HTTP request is authenticated as (access token), or null. */
  getUserByRequest(request: Request): Promise<Requester | null>;

  /** Sends a notice to a user; false when the user has no way to receive one. */
  notifyUser(userId: string, notice: Notice): Promise<boolean>;
}
