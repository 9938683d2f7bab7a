/**
 * A small 5-field cron parser (minute hour day-of-month month day-of-week), in UTC so every
 * instance of a deployment agrees on the occurrences whatever its time zone. Each field is `*`,
 * a number, a range `a-b`, a step `*\/n`, `a-b/n` or `a/n`, or a comma list of those; months and
 * days of week also take names (`jan`, `mon`); day of week 0 and 7 are Sunday. As in Vixie cron,
 * when both day fields are restricted a day matches if either does.
 */
import { cronFieldProblem } from '../errors/failover-messages.js';

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** Thrown by `parseCron`; the message locates the field. Callers wrap it with where it came from. */
export class CronError extends Error {
  override name = 'CronError';
}

export interface CronSchedule {
  readonly expression: string;
  /** The first occurrence strictly after `afterMs` (epoch ms), on a whole minute. */
  next(afterMs: number): number;
}

function parseNumber(text: string, spec: FieldSpec, fail: (problem: string) => never): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text)) {
    fail(
      `has ${JSON.stringify(text)}, which is not a number${spec.names ? ' or a name such as ' + spec.names[1] : ''}`,
    );
  }
  const n = Number(text);
  if (n < spec.min || n > spec.max) fail(`has ${n}, outside ${spec.min}-${spec.max}`);
  return n;
}

function parseField(expression: string, index: number, text: string): Set<number> {
  const spec = FIELDS[index]!;
  const fail = (problem: string): never => {
    throw new CronError(cronFieldProblem(expression, index + 1, spec.name, text, problem));
  };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '') fail('has an empty list item');
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) fail('has more than one /');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        fail(`has step ${JSON.stringify(stepText)}; a step is a positive whole number`);
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range!.includes('-')) {
      const [a, b, more] = range!.split('-');
      if (more !== undefined || !a || !b) fail(`has range ${JSON.stringify(range)}; write a-b`);
      from = parseNumber(a!, spec, fail);
      to = parseNumber(b!, spec, fail);
      if (from > to) fail(`has range ${range} going backwards`);
    } else {
      from = parseNumber(range!, spec, fail);
      to = stepText !== undefined ? spec.max : from;
    }
    for (let v = from; v <= to; v += step) values.add(index === 4 && v === 7 ? 0 : v);
  }
  return values;
}

const MINUTE = 60_000;

export function parseCron(expression: string): CronSchedule {
  if (typeof expression !== 'string') {
    throw new CronError(`cron must be a string such as '*/5 * * * *', got ${typeof expression}`);
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || fields[0] === '') {
    throw new CronError(
      `cron ${JSON.stringify(expression)} has ${fields[0] === '' ? 0 : fields.length} fields; ` +
        `it needs 5: minute hour day-of-month month day-of-week (e.g. '30 3 * * *' daily at 03:30 UTC)`,
    );
  }
  const [minutes, hours, days, months, weekdays] = fields.map((f, i) =>
    parseField(expression, i, f),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const domRestricted = fields[2] !== '*' && !fields[2]!.startsWith('*/');
  const dowRestricted = fields[4] !== '*' && !fields[4]!.startsWith('*/');
  const dayMatches = (d: Date): boolean => {
    const dom = days.has(d.getUTCDate());
    const dow = weekdays.has(d.getUTCDay());
    if (domRestricted && dowRestricted) return dom || dow;
    return dom && dow;
  };
  const next = (afterMs: number): number => {
    const d = new Date(Math.floor(afterMs / MINUTE) * MINUTE + MINUTE);
    // Eight years covers every leap-year pattern; past that the expression never matches.
    const limit = afterMs + 8 * 366 * 24 * 60 * MINUTE;
    while (d.getTime() <= limit) {
      if (!months.has(d.getUTCMonth() + 1)) {
        d.setUTCMonth(d.getUTCMonth() + 1, 1);
        d.setUTCHours(0, 0, 0, 0);
        continue;
      }
      if (!dayMatches(d)) {
        d.setUTCDate(d.getUTCDate() + 1);
        d.setUTCHours(0, 0, 0, 0);
        continue;
      }
      if (!hours.has(d.getUTCHours())) {
        d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
        continue;
      }
      if (!minutes.has(d.getUTCMinutes())) {
        d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
        continue;
      }
      return d.getTime();
    }
    return Number.POSITIVE_INFINITY;
  };
  if (next(Date.UTC(2000, 0, 1)) === Number.POSITIVE_INFINITY) {
    throw new CronError(
      `cron ${JSON.stringify(expression)} never matches a date (day ${fields[2]} never falls in month ${fields[3]})`,
    );
  }
  return { expression, next };
}
