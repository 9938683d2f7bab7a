/** URLs and regular expressions, as Synapse modules' configs carry them. */
import type { ValidationOptions } from 'class-validator';
import { rule } from './rule.js';

/** An absolute `http:` or `https:` URL (a remote service a module calls). */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isHttpUrl',
    (value) => {
      if (typeof value !== 'string') return false;
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    'an absolute http(s) URL such as "https://example.com/path"',
    options,
  );
}

/** A string that compiles as a JavaScript regular expression (with `flags`, default none). */
export function IsRegExp(flags = '', options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isRegExp',
    (value) => {
      if (typeof value !== 'string') return false;
      try {
        new RegExp(value, flags);
        return true;
      } catch {
        return false;
      }
    },
    'a valid regular expression (one that compiles), such as "^@admin-.*:example\\\\.com$"',
    options,
  );
}
