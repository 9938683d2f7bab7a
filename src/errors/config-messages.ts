/**
 * Every message the configuration stage produces. Messages say what was expected and what was
 * found, but never print a value that may be a secret (see src/config/redact.ts).
 */
import type { ConfigPath } from './modhost-error.js';
import { REDACTED, isSecretPath, redactUrlPasswords } from '../config/redact.js';
import { closest } from './suggest.js';

const MAX_SHOWN = 60;

/** A short description of a found value, safe to print. */
export function describeValue(value: unknown, path: ConfigPath = []): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'function') return `a class or function (${value.name || 'anonymous'})`;
  if (typeof value === 'object') return 'a mapping';
  if (isSecretPath(path)) return REDACTED;
  if (typeof value === 'string') {
    const safe = redactUrlPasswords(value);
    const shown = safe.length > MAX_SHOWN ? `${safe.slice(0, MAX_SHOWN)}…` : safe;
    return JSON.stringify(shown);
  }
  return String(value);
}

/** A key for a message: 'name', or JSON-quoted when it holds control or odd characters. */
function quoteKey(key: string): string {
  const shown = key.length > MAX_SHOWN ? `${key.slice(0, MAX_SHOWN)}…` : key;
  return /^[\x20-\x7e]*$/.test(shown) && !shown.includes("'")
    ? `'${shown}'`
    : JSON.stringify(shown);
}

export function expectedFound(expected: string, value: unknown, path: ConfigPath): string {
  return `expected ${expected}, found ${describeValue(value, path)}`;
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closest(key, allowed);
  const hint = suggestion !== undefined ? `; did you mean '${suggestion}'?` : '.';
  const list =
    allowed.length > 0 ? ` Allowed keys: ${allowed.join(', ')}.` : ' No keys are allowed here.';
  return `unknown key ${quoteKey(key)}${hint}${list}`;
}

export function missingKeyMessage(key: string, expected: string): string {
  return `missing required key '${key}' (${expected})`;
}

export function metricsPortClashMessage(port: number): string {
  return `metrics.port ${port} is also server.port; the metrics listener needs a port of its own`;
}

export function rootNotMappingMessage(value: unknown): string {
  // A file that is not a mapping is likely no configuration at all (an env file, a secret
  // pasted in): its text is described, never shown.
  const found =
    typeof value === 'string'
      ? `a plain string of ${value.length} characters`
      : typeof value === 'number' || typeof value === 'boolean'
        ? `a ${typeof value}`
        : describeValue(value);
  return `expected a mapping of sections (server, instance, modules, ...), found ${found}`;
}

export function configFileTooLargeMessage(limit: number): string {
  return (
    `the configuration file is larger than ${Math.round(limit / 1024)}K (${limit} bytes), ` +
    'the most modhost reads; ' +
    'a configuration is a few kilobytes: check that this is the right file'
  );
}

export function configInvalidUtf8Message(count: number): string {
  const more = count > 1 ? ` (${count} invalid sequences in the file; this is the first)` : '';
  return `the file is not valid UTF-8: invalid byte sequence here${more}; save it as UTF-8`;
}

export function configControlCharacterMessage(
  code: number,
  count: number,
  where: 'source' | 'value',
): string {
  const name =
    code === 0
      ? 'a NUL character (U+0000)'
      : code >= 0xd800 && code <= 0xdfff
        ? 'a lone UTF-16 surrogate (an invalid \\u escape)'
        : `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const more = count > 1 ? ` (${count} in all; this is the first)` : '';
  return where === 'source'
    ? `the file contains ${name}${more}; configuration files are text: remove it`
    : `this value contains ${name}${more}, written as an escape; remove it`;
}

export function moduleConfigFailedMessage(moduleName: string, inner: string): string {
  return `Failed to parse config for module '${moduleName}': ${inner}`;
}

export function unreadableFileMessage(reason: string): string {
  return `cannot read the configuration file: ${reason}`;
}

export function duplicateKeyMessage(key: string | undefined): string {
  const which = key !== undefined ? ` ${quoteKey(key)}` : '';
  return `duplicate key${which}: a mapping may hold each key only once`;
}

export function aliasBombMessage(limit: number): string {
  return `YAML aliases expand to more than ${limit} nodes here (an alias bomb?); write the values out instead`;
}

export function aliasUnresolvedMessage(name: string): string {
  return `unknown alias *${name}: no anchor &${name} is defined before it`;
}

export function aliasCycleMessage(name: string): string {
  return `alias *${name} refers to a node that contains it (a cycle)`;
}

export function multipleDocumentsMessage(): string {
  return 'the file holds several YAML documents (---); a configuration is a single document';
}

/** yaml's own messages, cut before any quoted source text, with hints for the common cases. */
export function yamlSyntaxMessage(code: string, yamlMessage: string): string {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'YAML syntax error: tabs are not allowed as indentation; indent with spaces';
    case 'BAD_DQ_ESCAPE':
      return 'YAML syntax error: invalid escape sequence in a double-quoted string; write \\\\ for a backslash or use single quotes';
    case 'RESOURCE_EXHAUSTION':
      return 'YAML syntax error: the document nests too deeply to be read; flatten it';
    case 'MULTIPLE_DOCS':
      return `YAML syntax error: ${multipleDocumentsMessage()}`;
    default: {
      const cut = yamlMessage.split(/: /)[0]!.replace(/\s+$/, '');
      const base = cut.charAt(0).toLowerCase() + cut.slice(1);
      return `YAML syntax error: ${base}`;
    }
  }
}

/** A duration given to a ModuleApi timer (loopingCall, delayedCall, sleep) is too long. */
export function timerDurationTooLongMessage(
  moduleName: string,
  call: string,
  value: unknown,
  maximum: string,
): string {
  return (
    `module ${moduleName}: ${call} was given ${JSON.stringify(value)}, longer than the maximum ` +
    `of ${maximum}; pass a shorter duration (for a longer wait, repeat a shorter one)`
  );
}
