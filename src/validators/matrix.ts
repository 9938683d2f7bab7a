/**
 * Matrix identifiers, per the spec's appendix on identifier grammar: a server name is a DNS name,
 * an IPv4 address or a bracketed IPv6 address, with an optional port; a user ID is
 * `@localpart:server_name`, at most 255 characters. Localparts are checked with the historical
 * grammar (printable ASCII but `:`), as Synapse still accepts users registered under it.
 */
import type { ValidationOptions } from 'class-validator';
import { rule } from './rule.js';

const MAX_ID_LENGTH = 255;
const DNS_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;
const HISTORICAL_LOCALPART = /^[\x21-\x39\x3B-\x7E]+$/;

export function isServerName(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) return false;
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(value);
  const [host, port] = [m![1]!, m![2]];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  if (IPV4.test(host)) return host.split('.').every((n) => Number(n) <= 255);
  return IPV6.test(host) || DNS_NAME.test(host);
}

function sigilled(sigil: string, value: unknown, requireServer: boolean): boolean {
  if (typeof value !== 'string' || value.length > MAX_ID_LENGTH || !value.startsWith(sigil))
    return false;
  const colon = value.indexOf(':');
  if (colon === -1) return !requireServer && value.length > 1;
  const local = value.slice(1, colon);
  return (
    local.length > 0 && HISTORICAL_LOCALPART.test(local) && isServerName(value.slice(colon + 1))
  );
}

/** A Matrix user ID such as `@alice:example.com`. */
export function IsMatrixUserId(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isMatrixUserId',
    (v) => sigilled('@', v, true),
    'a Matrix user ID such as "@alice:example.com"',
    options,
  );
}

/** A Matrix room ID: `!opaque:example.com`, or `!opaque` (room version 12 and later). */
export function IsMatrixRoomId(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isMatrixRoomId',
    (v) => sigilled('!', v, false),
    'a Matrix room ID such as "!abcdefg:example.com"',
    options,
  );
}

/** A Matrix room alias such as `#general:example.com`. */
export function IsMatrixRoomAlias(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isMatrixRoomAlias',
    (v) => sigilled('#', v, true),
    'a Matrix room alias such as "#general:example.com"',
    options,
  );
}

/** A Matrix server name: `example.com`, `example.com:8448`, `1.2.3.4`, `[::1]:8448`. */
export function IsServerName(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isServerName',
    isServerName,
    'a Matrix server name such as "example.com" or "example.com:8448"',
    options,
  );
}
