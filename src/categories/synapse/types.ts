/** Data shapes the Synapse callbacks pass and return, kept loose where Synapse's are. */

export type Awaitable<T> = T | Promise<T>;

/** A Matrix event as hosts hand it to modules (Synapse's EventBase, as JSON). */
export interface SynapseEvent {
  event_id?: string;
  type: string;
  sender: string;
  room_id: string;
  state_key?: string;
  content: Record<string, any>;
  origin_server_ts?: number;
  unsigned?: Record<string, any>;
  [key: string]: any;
}

/**
 * A room's current state: events keyed by `stateKey(type, state_key)` ("type|state_key"),
 * standing in for Synapse's StateMap keyed by (type, state_key) tuples.
 */
export type StateEvents = ReadonlyMap<string, SynapseEvent>;

/** The key of a state event in `StateEvents`. */
export function stateKey(type: string, key: string): string {
  return `${type}|${key}`;
}

/** Request details given to registration and login checks. */
export type RequestInfo = ReadonlyArray<readonly [userAgent: string, ip: string]>;

/** A user's profile as `check_username_for_spam` sees it. */
export interface UserProfile {
  user_id: string;
  display_name?: string | null;
  avatar_url?: string | null;
  [key: string]: unknown;
}

export type JsonDict = Record<string, any>;
