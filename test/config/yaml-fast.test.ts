/**
 * The config reader's fast path (js-yaml's core schema, src/config/yaml-fast.ts) against yaml,
 * which reads everything else: on generated files of plain YAML the two give the same value, and
 * what the fast path must leave to yaml goes to yaml.
 */
import { expect } from 'chai';
import { fastYamlValue } from '../../src/config/yaml-fast.js';
import { parseYamlSource } from '../../src/config/yaml-source.js';
import { parseDocument } from '../../src/deps/yaml.js';
import { prng } from '../helpers/prng.js';

/** yaml's value for `text`, as the reader's full path computes it. */
function yamlValue(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, merge: true });
  expect(doc.errors, text).to.deep.equal([]);
  return doc.toJS() ?? {};
}

/** Plain scalars of every core-schema type and many that only look like one. */
const SCALARS = [
  '0',
  '-0',
  '+0',
  '00',
  '007',
  '0o7',
  '0o8',
  '0x1F',
  '0X1F',
  '0b101',
  '1_000',
  '1e3',
  '1E3',
  '1.5e-3',
  '.5',
  '5.',
  '+.5',
  '-.inf',
  '.inf',
  '.Inf',
  '.INF',
  '.nan',
  '.NaN',
  'NaN',
  'nan',
  'inf',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  'null',
  'Null',
  'NULL',
  '~',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '12:30:45',
  '1:20',
  '0.1',
  '-1.5',
  '+12',
  '1,000',
  '0x',
  '0o',
  '1e',
  'e3',
  '123456789012345678901234',
  '9007199254740993',
  '3.14159265358979323846',
  '-',
  '--',
  '=',
  'foo bar',
  'http://x:1/y',
  'redis://127.0.0.1:6379/0',
  '1.0.0',
  '10ms',
  '1s',
  '5m',
  '1h',
  '0.5s',
  '0xG',
  '-0x1',
  '+0x1',
  '1.e3',
  '6.8523015e+5',
  '0.0',
  '-0.0',
  '12e03',
  'a-b_c.d',
  '/_synapse/client/x',
  'über',
  '日本',
  'a#b',
  'a:b',
];
const QUOTED = [
  '"x"',
  "'x'",
  '"1"',
  "'true'",
  '"a\\tb"',
  '"\\u00e9"',
  "'it''s'",
  '""',
  "''",
  '"a # b"',
  '"line\\nbreak"',
  "'x: y'",
  '"*star"',
  '"&amp"',
];

function generate(seed: number): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const scalar = () => (r() < 0.75 ? pick(SCALARS) : pick(QUOTED));
  const key = (i: number) => (r() < 0.9 ? `k${i}_${Math.floor(r() * 1000)}` : pick(SCALARS));
  const lines: string[] = [];
  if (r() < 0.2) lines.push('---');
  const block = (indent: string, depth: number) => {
    const n = 1 + Math.floor(r() * 4);
    const used = new Set<string>();
    for (let i = 0; i < n; i++) {
      let k = key(i);
      while (used.has(k)) k += 'x';
      used.add(k);
      const roll = r();
      if (r() < 0.1) lines.push(`${indent}# a comment: ${scalar()}`);
      if (depth < 3 && roll < 0.25) {
        lines.push(`${indent}${k}:`);
        block(`${indent}  `, depth + 1);
      } else if (depth < 3 && roll < 0.4) {
        lines.push(`${indent}${k}:`);
        const m = 1 + Math.floor(r() * 3);
        for (let j = 0; j < m; j++) {
          if (r() < 0.5) lines.push(`${indent}  - ${scalar()}`);
          else lines.push(`${indent}  - { a${j}: ${scalar()}, b${j}: [${scalar()}, ${scalar()}] }`);
        }
      } else if (roll < 0.5) {
        lines.push(`${indent}${k}: { x: ${scalar()}, y: ${scalar()} }`);
      } else if (roll < 0.55) {
        lines.push(`${indent}${k}: []`);
      } else if (roll < 0.6) {
        lines.push(`${indent}${k}:`);
      } else {
        lines.push(`${indent}${k}: ${scalar()}${r() < 0.1 ? ' # trailing' : ''}`);
      }
      if (r() < 0.05) lines.push('');
    }
  };
  block('', 0);
  return lines.join('\n') + '\n';
}

describe('config: the fast path for plain YAML', () => {
  it('gives the value yaml gives, on 3,000 generated files of plain YAML', () => {
    let fast = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const text = generate(seed);
      const value = fastYamlValue(text);
      if (value === undefined) continue;
      fast++;
      expect(value, `seed ${seed}:\n${text}`).to.deep.equal(yamlValue(text));
    }
    // Most generated files are plain enough for the fast path (the check is not vacuous).
    expect(fast).to.be.greaterThan(2000);
  });

  it('every scalar alone, as a value and in a sequence', () => {
    for (const s of [...SCALARS, ...QUOTED]) {
      for (const text of [`k: ${s}\n`, `k:\n  - ${s}\n`, `k: [${s}]\n`, `k: { v: ${s} }\n`]) {
        const value = fastYamlValue(text);
        if (value !== undefined) expect(value, text).to.deep.equal(yamlValue(text));
      }
    }
  });

  it('an empty file or a lone comment is an empty configuration', () => {
    expect(fastYamlValue('')).to.deep.equal({});
    expect(fastYamlValue('# nothing\n')).to.deep.equal({});
    expect(fastYamlValue('---\n')).to.deep.equal({});
  });

  const LEFT_TO_YAML: Record<string, string> = {
    'an anchor and alias': 'a: &x 1\nb: *x\n',
    'a merge key': 'base: { a: 1 }\nother:\n  <<: { a: 2 }\n',
    'a tag': 'a: !!str 1\n',
    'a local tag': 'a: !thing 1\n',
    'a block scalar': 'a: |\n  text\n',
    'a folded scalar': 'a: >\n  text\n',
    'a complex key': '? a\n: 1\n',
    'a collection as a key': '[a, b]: 1\n',
    'a flow mapping as a key': '{ a: 1 }: 2\n',
    'a directive': '%YAML 1.2\n---\na: 1\n',
    'a duplicate key': 'a: 1\na: 2\n',
    'a second document': 'a: 1\n---\nb: 2\n',
    'a syntax error': 'a: [1, 2\n',
    'a tab': 'a:\n\tb: 1\n',
    'a CR line break': 'a: 1\r\nb: 2\r\n',
    'a sequence nested on its line': 'a:\n  - - b\n  - c\n',
    'a null key': 'null: 1\n',
    'a ~ key': '~: 1\n',
    'an empty key': 'a: { : 1 }\n',
    'a __proto__ key': '__proto__: { polluted: true }\n',
    'a reserved indicator': 'a: @b\n',
    'a block sequence as a value on its key line': 'a: - x\n',
    'an unclosed single-quoted scalar': "a: '''\n",
    'a quoted scalar continued on the next line': 'a:\n    b: "multi\n  line"\n',
    'a plain scalar continued on the next line': 'a: plain\n  continued\n',
    'a flow collection over several lines': 'a: [\n  1,\n  2\n]\n',
    'a root that is a sequence': '- a\n- b\n',
    'a root that is a scalar': 'just text\n',
  };
  for (const [what, text] of Object.entries(LEFT_TO_YAML)) {
    it(`leaves ${what} to yaml`, () => {
      expect(fastYamlValue(text)).to.equal(undefined);
    });
  }

  it('a problem found after the fast path is still located (yaml parses the text then)', () => {
    const text = 'server:\n  port: 8008\nmodules:\n  - module: ./a.js\n    config: { x: 1 }\n';
    const source = parseYamlSource(text, 'host.yaml');
    expect(source.problems).to.deep.equal([]);
    expect(source.locate(['modules', 0, 'config', 'x'])).to.deep.equal({ line: 5, column: 18 });
    expect(source.locate(['server', 'port'])).to.deep.equal({ line: 2, column: 9 });
  });
});
