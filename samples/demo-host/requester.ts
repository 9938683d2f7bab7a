/** Shapes the demo's operations share. */

/** Who is asking, as modules see it (Synapse's Requester, as JSON). */
export interface Requester {
  user_id: string;
  device_id: string;
  is_guest: boolean;
}

/** The user agent and IP of the HTTP request, as Synapse's `request_info`. */
export type RequestInfo = [userAgent: string, ip: string][];

/** What /register and /login answer. */
export interface LoginResult {
  user_id: string;
  access_token: string;
  device_id: string;
  home_server: string;
}
