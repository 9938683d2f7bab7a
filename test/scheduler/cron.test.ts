/** The 5-field cron parser: occurrences in UTC, and located errors for bad expressions. */
import { expect } from 'chai';
import { CronError, parseCron } from '../../src/scheduler/cron.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

function occurrences(expression: string, from: string, count: number): string[] {
  const cron = parseCron(expression);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < count; i++) out.push(iso((t = cron.next(t))));
  return out;
}

describe('cron expressions', () => {
  it('every minute, and strictly after the given time', () => {
    expect(occurrences('* * * * *', '2026-03-01T10:00:00.000Z', 2)).to.deep.equal([
      '2026-03-01T10:01:00.000Z',
      '2026-03-01T10:02:00.000Z',
    ]);
    expect(occurrences('* * * * *', '2026-03-01T10:00:30.500Z', 1)).to.deep.equal([
      '2026-03-01T10:01:00.000Z',
    ]);
  });

  it('steps, ranges and lists', () => {
    expect(occurrences('*/15 * * * *', '2026-03-01T10:07:00Z', 3)).to.deep.equal([
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T10:30:00.000Z',
      '2026-03-01T10:45:00.000Z',
    ]);
    expect(occurrences('0 9-17/4 * * *', '2026-03-01T00:00:00Z', 4)).to.deep.equal([
      '2026-03-01T09:00:00.000Z',
      '2026-03-01T13:00:00.000Z',
      '2026-03-01T17:00:00.000Z',
      '2026-03-02T09:00:00.000Z',
    ]);
    expect(occurrences('5,10 0 * * *', '2026-03-01T00:06:00Z', 2)).to.deep.equal([
      '2026-03-01T00:10:00.000Z',
      '2026-03-02T00:05:00.000Z',
    ]);
  });

  it('month and weekday names, Sunday as 0 or 7, and the OR rule of the two day fields', () => {
    // 2026-03-01 is a Sunday.
    expect(occurrences('30 3 * * sun', '2026-03-01T04:00:00Z', 1)).to.deep.equal([
      '2026-03-08T03:30:00.000Z',
    ]);
    expect(occurrences('30 3 * * 7', '2026-03-01T04:00:00Z', 1)).to.deep.equal([
      '2026-03-08T03:30:00.000Z',
    ]);
    expect(occurrences('0 0 1 jan *', '2026-03-01T00:00:00Z', 1)).to.deep.equal([
      '2027-01-01T00:00:00.000Z',
    ]);
    // Day 15 or any Monday (Vixie cron).
    expect(occurrences('0 0 15 * mon', '2026-03-10T00:00:00Z', 3)).to.deep.equal([
      '2026-03-15T00:00:00.000Z',
      '2026-03-16T00:00:00.000Z',
      '2026-03-23T00:00:00.000Z',
    ]);
  });

  it('leap days', () => {
    expect(occurrences('0 12 29 2 *', '2026-01-01T00:00:00Z', 1)).to.deep.equal([
      '2028-02-29T12:00:00.000Z',
    ]);
  });

  const bad: Array<[string, RegExp]> = [
    ['* * * *', /has 4 fields; it needs 5/],
    ['', /has 0 fields/],
    ['60 * * * *', /field 1 \(minute\) "60" has 60, outside 0-59/],
    ['* 24 * * *', /field 2 \(hour\) "24" has 24, outside 0-23/],
    ['* * 0 * *', /field 3 \(day of month\) "0" has 0, outside 1-31/],
    [
      '* * * foo *',
      /field 4 \(month\) "foo" has "foo", which is not a number or a name such as feb/,
    ],
    ['*/0 * * * *', /field 1 \(minute\) "\*\/0" has step "0"/],
    ['5-1 * * * *', /range 5-1 going backwards/],
    ['1,,2 * * * *', /empty list item/],
    ['0 0 30 2 *', /never matches a date/],
  ];
  for (const [expression, message] of bad) {
    it(`refuses ${JSON.stringify(expression)} saying where`, () => {
      expect(() => parseCron(expression)).to.throw(CronError, message);
    });
  }
});
