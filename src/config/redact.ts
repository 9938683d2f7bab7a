/**
 * Keeps secrets out of error messages: values under secret-looking keys are never shown, and
 * passwords inside URLs (`redis://:pw@host`) are masked wherever they appear.
 */
import type { ConfigPath } from '../errors/index.js';

export const REDACTED = '<redacted>';

const SECRET_KEY = /secret|password|passwd|token|key|credential/i;

/** Whether any key along `path` looks like it holds a secret (`api_key`, `tokens[0]`). */
export function isSecretPath(path: ConfigPath): boolean {
  return path.some((part) => typeof part === 'string' && SECRET_KEY.test(part));
}

/** `scheme://user:password@host` → `scheme://user:<redacted>@host`, anywhere in `text`. */
export function redactUrlPasswords(text: string): string {
  return text.replace(
    /([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/]*@/gi,
    (_match, prefix: string) => `${prefix}${REDACTED}@`,
  );
}

/**
 * A URL fit for messages and logs: credentials dropped, and the values of secret-looking query
 * parameters (`access_token`, `api_key`, `sig`…) masked.
 */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  const hadCredentials = copy.username !== '' || copy.password !== '';
  copy.username = '';
  copy.password = '';
  for (const name of new Set(copy.searchParams.keys())) {
    if (SECRET_KEY.test(name) || /^(sig|signature|auth)$/i.test(name))
      copy.searchParams.set(name, 'REDACTED');
  }
  const text = copy.href.replaceAll('=REDACTED', `=${REDACTED}`);
  return hadCredentials ? text.replace('://', `://${REDACTED}@`) : text;
}
