/**
 * Structured logs through pino. On a terminal the JSON lines are rendered readably by a small
 * formatter (no pino-pretty dependency); tests capture records in memory.
 */
import { Writable } from 'node:stream';
import type { Logger as PinoLogger, DestinationStream } from 'pino';
import { pino } from '../deps/pino.js';
import { lazyLogger } from './lazy-logger.js';

export type Logger = PinoLogger;

export interface LogRecord {
  level: number;
  levelName: string;
  msg: string;
  module?: string;
  [key: string]: unknown;
}

/** pino's level numbers and their names. */
export const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

function toRecord(line: string): LogRecord | undefined {
  try {
    const raw = JSON.parse(line) as LogRecord;
    raw.levelName = LEVEL_NAMES[raw.level] ?? String(raw.level);
    return raw;
  } catch {
    return undefined;
  }
}

const OMIT = new Set([
  'level',
  'levelName',
  'time',
  'pid',
  'hostname',
  'msg',
  'module',
  'instance',
]);

/** `12:00:01 INFO  [antispam] message key=value` */
export function renderRecord(r: LogRecord): string {
  const time = typeof r.time === 'number' ? new Date(r.time).toISOString().slice(11, 23) : '';
  const who = r.module ? `[${r.module}] ` : '';
  const extra = Object.entries(r)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => {
      if (k === 'err' && v && typeof v === 'object') {
        const e = v as { type?: string; message?: string };
        // Most log lines already carry the error's message as their text: do not say it twice.
        if (e.message && r.msg?.includes(e.message)) return '';
        return `err=${e.type ?? 'Error'}: ${e.message ?? ''}`;
      }
      return `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    })
    .filter((part) => part !== '')
    .join(' ');
  return `${time} ${r.levelName.toUpperCase().padEnd(5)} ${who}${r.msg ?? ''}${extra ? ` ${extra}` : ''}`;
}

function prettyStream(out: NodeJS.WritableStream): DestinationStream {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        const r = line && toRecord(line);
        if (r) out.write(`${renderRecord(r)}\n`);
      }
      done();
    },
  });
}

export interface LoggerOptions {
  level?: string;
  /** Render readably; defaults to whether stdout is a terminal. */
  pretty?: boolean;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const destination =
    options.destination ??
    (pretty ? prettyStream(process.stdout) : pino().destination({ dest: 1, sync: true }));
  return pino()({ level: options.level ?? 'info', base: undefined }, destination);
}

/**
 * `createLogger`, deferred until something passes the level (lazy-logger.ts): for the commands
 * that only report problems (`check`, `inspect`, `call`), so pino is loaded only if there are any.
 */
export function createDeferredLogger(options: LoggerOptions = {}): Logger {
  return lazyLogger(() => createLogger(options), options.level ?? 'info');
}

/** A logger whose records are kept in memory, for tests (`createTestHost().logs`). */
export function createCapturingLogger(level = 'debug'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const destination: DestinationStream = {
    write(line: string) {
      const r = toRecord(line);
      if (r) records.push(r);
    },
  };
  return { logger: pino()({ level, base: undefined }, destination), records };
}
