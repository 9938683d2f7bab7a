/**
 * What a configuration file may be before YAML parsing starts: at most MAX_CONFIG_FILE_BYTES
 * (a 50 MB file would cost the parser seconds and a gigabyte), valid UTF-8 (a decoder would
 * silently turn bad bytes into U+FFFD), and free of control characters such as NUL, in the
 * source or written as escapes in a value. Every problem is located; none quotes the source.
 */
import { open } from 'node:fs/promises';
import {
  configControlCharacterMessage,
  configFileTooLargeMessage,
  configInvalidUtf8Message,
} from '../errors/config-messages.js';
import { type ConfigPath, type ConfigProblem, renderPath } from '../errors/index.js';
import type { Locator } from './types.js';

/** Far above any real configuration (they are a few kilobytes). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The file's bytes, or undefined when it holds more than `limit` bytes. Reads at most
 * `limit + 1` bytes whatever the file is (a device or a pipe has no size to check first).
 */
export async function readBounded(path: string, limit: number): Promise<Buffer | undefined> {
  const handle = await open(path, 'r');
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    if (stat.isFile() && stat.size > limit) return undefined;
    const buffer = Buffer.alloc(limit + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled > limit ? undefined : buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

export function fileTooLargeProblem(file: string, limit: number): ConfigProblem {
  return { file, path: renderPath([]), message: configFileTooLargeMessage(limit) };
}

/** The text of `bytes`, or the problems that keep it from being a configuration. */
export function decodeConfigText(
  bytes: Uint8Array,
  file: string,
): { text: string; problems: [] } | { text: undefined; problems: ConfigProblem[] } {
  const invalid = invalidUtf8Offsets(bytes);
  if (invalid.count > 0) {
    const at = positionOfByte(bytes, invalid.first);
    return {
      text: undefined,
      problems: [
        { file, ...at, path: renderPath([]), message: configInvalidUtf8Message(invalid.count) },
      ],
    };
  }
  const text = new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
  const control = firstControl(text);
  if (control !== undefined) {
    const at = positionOfChar(text, control.index);
    const message = configControlCharacterMessage(control.code, control.count, 'source');
    return { text: undefined, problems: [{ file, ...at, path: renderPath([]), message }] };
  }
  return { text, problems: [] };
}

/**
 * Control characters in the parsed value's strings and keys (YAML escapes such as "\0" put them
 * there although the source is clean), each located at its key path.
 */
export function controlCharacterProblems(
  value: unknown,
  file: string,
  locate: Locator,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const visit = (node: unknown, path: (string | number)[], depth: number): void => {
    if (problems.length >= 20 || depth > 64) return;
    if (typeof node === 'string') {
      const control = firstControl(node);
      if (control !== undefined) problems.push(valueProblem(file, locate, path, control));
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i], depth + 1));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, item] of Object.entries(node)) {
        const control = firstControl(key);
        if (control !== undefined) problems.push(valueProblem(file, locate, path, control));
        else visit(item, [...path, key], depth + 1);
      }
    }
  };
  visit(value, [], 0);
  return problems;
}

function valueProblem(
  file: string,
  locate: Locator,
  path: ConfigPath,
  control: { code: number; count: number },
): ConfigProblem {
  const at = locate(path);
  return {
    file,
    ...(at ? { line: at.line, column: at.column } : {}),
    path: renderPath(path),
    message: configControlCharacterMessage(control.code, control.count, 'value'),
  };
}

/** C0 controls other than tab, LF and CR, DEL, and lone surrogates: never in a configuration. */
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function firstControl(text: string): { index: number; code: number; count: number } | undefined {
  CONTROL.lastIndex = 0;
  const first = CONTROL.exec(text);
  if (first === null) return undefined;
  let count = 1;
  while (CONTROL.exec(text) !== null) count++;
  return { index: first.index, code: first[0].charCodeAt(0), count };
}

function positionOfChar(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

function positionOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Columns count characters, as the YAML parser's positions do.
  const before = new TextDecoder().decode(bytes.subarray(lineStart, offset));
  return { line, column: before.length + 1 };
}

/** The first offset that is not well-formed UTF-8 (RFC 3629), and how many such sequences. */
function invalidUtf8Offsets(bytes: Uint8Array): { first: number; count: number } {
  let first = -1;
  let count = 0;
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f; // nothing past U+10FFFF
    }
    let ok = need > 0 && i + need < n;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const c = bytes[i + k]!;
        const min = k === 1 ? lo : 0x80;
        const max = k === 1 ? hi : 0xbf;
        if (c < min || c > max) {
          ok = false;
          break;
        }
      }
    }
    if (ok) {
      i += need + 1;
    } else {
      if (first === -1) first = i;
      count++;
      i++;
    }
  }
  return { first, count };
}
