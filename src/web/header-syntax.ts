/**
 * Header name and value syntax, checked by a walk over the characters: a handler's headers are
 * checked on every response it builds, and for the short names and values handlers write a
 * table walk costs a fraction of a regular expression's test plus a lower-casing.
 */

/** 1 = a token character (RFC 9110 §5.6.2), 2 = an upper-case letter (also a token character). */
const TOKEN_CHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz")
  TOKEN_CHAR[c.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_CHAR[c] = 2;

/** The lower-case form of `name` when it is a valid header name (a token), else undefined. */
export function lowerToken(name: string): string | undefined {
  const n = name.length;
  if (n === 0) return undefined;
  let upper = false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const kind = c < 128 ? TOKEN_CHAR[c]! : 0;
    if (kind === 0) return undefined;
    if (kind === 2) upper = true;
  }
  return upper ? name.toLowerCase() : name;
}

/**
 * Whether undici keeps the header value `value` exactly as it is: Latin-1, no CR, LF, NUL or
 * other control character but tab, and no space or tab at either end (which it would trim).
 */
export function isPlainValue(value: string): boolean {
  const n = value.length;
  if (n === 0) return true;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff || c === 0x7f || (c < 0x20 && c !== 0x09)) return false;
  }
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  return first !== 0x20 && first !== 0x09 && last !== 0x20 && last !== 0x09;
}
