/**
 * docs/configuration.md documents every key the host schema accepts: the schema's own "unknown
 * key" message lists the allowed keys of each section, and each must have a row in the doc.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOP_LEVEL_KEYS, validateHostConfig } from '../../src/config/host-schema.js';
import { tryParseDuration, tryParseSize } from '../../src/config/units.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const doc = readFileSync(path.join(repoRoot, 'docs/configuration.md'), 'utf8');

/** The keys the schema allows where `raw` puts an unknown key. */
function allowedKeys(raw: unknown): string[] {
  const { problems } = validateHostConfig(raw, {});
  const message = problems.map((p) => p.message).find((m) => m.includes('Allowed keys:'));
  if (!message) throw new Error(`no unknown-key message for ${JSON.stringify(raw)}`);
  return message
    .slice(message.indexOf('Allowed keys:') + 'Allowed keys:'.length)
    .replace(/\.$/, '')
    .split(',')
    .map((k) => k.trim());
}

/** The rows of the table under `## <heading>`: key and default cell. */
function documentedRows(heading: string): [key: string, defaultCell: string][] {
  const start = doc.indexOf(`\n## ${heading}`);
  if (start === -1) throw new Error(`docs/configuration.md has no "## ${heading}" section`);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([a-z_]+)` \| ([^|]*) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]);
}

function documentedKeys(heading: string): string[] {
  return documentedRows(heading).map(([key]) => key);
}

/** Whether a documented default such as `10M`, `5s`, `true` or `main` means `value`. */
function sameDefault(cell: string, value: unknown): boolean {
  const literal = /^`([^`]+)`$/.exec(cell)?.[1];
  // Prose or a template (`http://localhost:<port>/`): a computed or absent default.
  if (literal === undefined || literal.includes('<')) return true;
  if (typeof value === 'object' && value !== null) return literal === JSON.stringify(value);
  if (typeof value === 'boolean') return literal === String(value);
  if (typeof value === 'number')
    return [Number(literal), tryParseDuration(literal), tryParseSize(literal)].includes(value);
  return literal === value;
}

const SECTIONS: [heading: string, raw: unknown][] = [
  ['`server`', { server: { zz_unknown: 1 } }],
  ['`instance`', { instance: { zz_unknown: 1 } }],
  ['`cluster` (optional)', { cluster: { redis_url: 'redis://127.0.0.1:6379', zz_unknown: 1 } }],
  ['`metrics` (optional)', { metrics: { zz_unknown: 1 } }],
  ['`caches`', { caches: { zz_unknown: 1 } }],
  ['`watchdog`', { watchdog: { zz_unknown: 1 } }],
  ['`database`', { database: { zz_unknown: 1 } }],
  ['`modules[]`', { modules: [{ module: './x.js#X', zz_unknown: 1 }] }],
];

describe('docs/configuration.md', () => {
  for (const [heading, raw] of SECTIONS) {
    it(`documents every key of ${heading}`, () => {
      expect(documentedKeys(heading).sort()).to.deep.equal(allowedKeys(raw).sort());
    });
  }

  it('gives the defaults the schema fills in', () => {
    const { config } = validateHostConfig(
      { metrics: {}, cluster: { redis_url: 'redis://127.0.0.1:6379' }, log_level: undefined },
      {},
    );
    const sections: [string, Record<string, unknown>][] = [
      ['`server`', config!.server as unknown as Record<string, unknown>],
      ['`instance`', config!.instance as unknown as Record<string, unknown>],
      ['`cluster` (optional)', config!.cluster as unknown as Record<string, unknown>],
      ['`metrics` (optional)', config!.metrics as unknown as Record<string, unknown>],
      ['`caches`', config!.caches as unknown as Record<string, unknown>],
      ['`watchdog`', config!.watchdog as unknown as Record<string, unknown>],
      ['`database`', config!.database as unknown as Record<string, unknown>],
      ['Top-level keys', config as unknown as Record<string, unknown>],
    ];
    for (const [heading, values] of sections)
      for (const [key, cell] of documentedRows(heading))
        expect(
          sameDefault(cell, values[key]),
          `${heading} ${key}: doc says ${cell}, schema ${JSON.stringify(values[key])}`,
        ).to.equal(true);
  });

  it('documents every top-level key', () => {
    const sections = ['server', 'instance', 'cluster', 'metrics', 'caches', 'database', 'modules'];
    const topLevel = documentedKeys('Top-level keys');
    for (const key of TOP_LEVEL_KEYS)
      expect(sections.includes(key) || topLevel.includes(key), key).to.equal(true);
  });
});
