/** Checking and printing Redis URLs: a password never reaches a log line or `modhost check`. */
import { redisUrlInvalid } from '../errors/cluster-messages.js';

/** Throws a ModhostError unless `url` is a `redis://` or `rediss://` URL with a host. */
export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw redisUrlInvalid(redactRedisUrl(url), 'it is not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw redisUrlInvalid(redactRedisUrl(url), `the scheme is ${parsed.protocol.slice(0, -1)}`);
  }
  if (!parsed.hostname) throw redisUrlInvalid(redactRedisUrl(url), 'it names no host');
}

/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: hide anything that looks like credentials before an '@'.
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
