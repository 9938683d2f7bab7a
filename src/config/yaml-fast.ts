/**
 * The fast path of reading a configuration file. yaml (the parser behind every located problem)
 * builds a whole document of nodes with their source ranges, and its lexer is slow to warm up:
 * on a 1,000-module file, about half of all that loading costs beyond importing the modules
 * themselves. Most files use plain YAML only: mappings, sequences, plain or quoted scalars,
 * comments. For those, js-yaml with YAML 1.2's core types as yaml resolves them gives the very
 * same value (test/config/yaml-fast.test.ts compares the two on generated files), several
 * times faster, and nothing else is needed: positions are only wanted for a problem, and
 * the locator parses the text with yaml when first asked.
 *
 * Anything beyond that subset goes to yaml, which keeps every check of its own: anchors and
 * aliases (the alias-bomb and cycle checks), tags, merge keys, complex or collection keys, block
 * scalars, directives, and every text js-yaml refuses (a syntax error, a duplicate key, a second
 * document), so that yaml reports it with its position. Being conservative costs only speed.
 */
import { FAILSAFE_SCHEMA, load, Type } from '../deps/js-yaml.js';

/**
 * YAML 1.2's core schema exactly as yaml resolves it (yaml/dist/schema/core and common/null):
 * js-yaml's own core schema differs at the edges (`0b101` is 5 there, `-0` is +0).
 */
const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: string | null) => test.test(s ?? ''),
    construct: (s: string | null) => construct(s ?? ''),
  });
/** One type per tag: js-yaml keeps only the last implicit type it is given for a tag. */
const YAML_CORE = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    scalar('int', /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (s) =>
      s.startsWith('0o')
        ? parseInt(s.substring(2), 8)
        : s.startsWith('0x')
          ? parseInt(s.substring(2), 16)
          : parseInt(s, 10),
    ),
    scalar(
      'float',
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
      (s) =>
        /^[-+]?\.(?:inf|Inf|INF)$/.test(s)
          ? s[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY
          : /nan$/i.test(s)
            ? NaN
            : parseFloat(s),
    ),
  ],
});

/**
 * What sends a text to yaml: a node property or alias (`&`, `*`, `!` where a node starts), a
 * merge key, a complex key (`? `), a collection as a key (`]:` or `}:`), a block scalar (`|` or
 * `>` after `:` or `-`), a directive (`%` at a line start), a sequence nested on its parent's
 * line (`- - a`: the two read what follows it differently), a null or empty key (yaml names it
 * "", js-yaml "null"), a `__proto__` key, a tab or a CR (indentation and line-break rules where
 * parsers have differed) and reserved indicators.
 */
const BEYOND_PLAIN =
  /(?:^|[\s[{,])[&*!]|<<|(?:^|\s)\?(?:\s|$)|[\]}]\s*:(?:\s|$)|(?:[:-]\s+)[|>]|^%|(?:^|\s)-\s+-(?:\s|$)|(?:^|[\s{,])(?:~|[Nn]ull|NULL)?:(?:\s|$)|__proto__|[\t\r`@]/m;

// ---------------------------------------------------------------------------------------------
// The line grammar of the fast path. js-yaml is lenient where yaml is not (`k: - x`, an unclosed
// `'''`, some indentation of continued scalars), so a text is taken only when each of its lines
// is, whole, one of: blank or a comment, `---` first, `[- ]key: [value]` or `- value`; keys plain
// or quoted on one line, values plain, quoted or a flow collection closed on the same line, each
// followed by nothing but a comment. yaml reads the rest, and reports its problems.

/** Characters that cannot start a plain scalar (YAML 1.2, 7.3.3), but `-?:` before a non-space. */
const INDICATORS = new Set('-?:,[]{}#&*!|>\'"%@`');
const FLOW_INDICATORS = new Set(',[]{}');

const spaces = (s: string, i: number): number => {
  while (s[i] === ' ') i++;
  return i;
};

/** The end of a double-quoted scalar starting at `i`, or -1 (not closed on this line). */
function doubleQuoted(s: string, i: number): number {
  for (i++; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i + 1;
  }
  return -1;
}

/** The end of a single-quoted scalar starting at `i`, or -1. */
function singleQuoted(s: string, i: number): number {
  for (i++; i < s.length; i++) {
    if (s[i] !== "'") continue;
    if (s[i + 1] !== "'") return i + 1;
    i++;
  }
  return -1;
}

/** The end of a plain scalar starting at `i` (trailing spaces not included), or -1. */
function plainScalar(s: string, i: number, flow: boolean): number {
  const c = s[i];
  if (c === undefined || c === ' ') return -1;
  if (INDICATORS.has(c)) {
    const next = s[i + 1];
    if (!'-?:'.includes(c) || next === undefined || next === ' ') return -1;
    if (flow && FLOW_INDICATORS.has(next)) return -1;
  }
  let end = i + 1;
  for (let j = i + 1; j < s.length; j++) {
    const ch = s[j]!;
    const next = s[j + 1];
    if (ch === ':' && (next === undefined || next === ' ' || (flow && FLOW_INDICATORS.has(next))))
      break;
    if (ch === '#' && s[j - 1] === ' ') break;
    if (flow && FLOW_INDICATORS.has(ch)) break;
    if (ch !== ' ') end = j + 1;
  }
  return end;
}

/** A quoted or plain scalar at `i`: its end, or -1. */
function scalarAt(s: string, i: number, flow: boolean): number {
  if (s[i] === '"') return doubleQuoted(s, i);
  if (s[i] === "'") return singleQuoted(s, i);
  return plainScalar(s, i, flow);
}

/** A flow collection at `i` closed on this line (`[a, b]`, `{ a: 1, b: [c] }`): its end, or -1. */
function flowCollection(s: string, i: number, depth = 0): number {
  // Deeper than any configuration: yaml reads it (and reports nesting too deep to parse).
  if (depth > MAX_FLOW_DEPTH) return -1;
  const close = s[i] === '[' ? ']' : '}';
  const mapping = close === '}';
  i = spaces(s, i + 1);
  if (s[i] === close) return i + 1;
  for (;;) {
    if (mapping) {
      i = scalarAt(s, i, true);
      if (i === -1) return -1;
      i = spaces(s, i);
      if (s[i] !== ':') return -1;
      i = spaces(s, i + 1);
      if (s[i] !== ',' && s[i] !== close) i = flowNode(s, i, depth);
    } else i = flowNode(s, i, depth);
    if (i === -1) return -1;
    i = spaces(s, i);
    if (s[i] === close) return i + 1;
    if (s[i] !== ',') return -1;
    i = spaces(s, i + 1);
  }
}

function flowNode(s: string, i: number, depth: number): number {
  return s[i] === '[' || s[i] === '{' ? flowCollection(s, i, depth + 1) : scalarAt(s, i, true);
}

const MAX_FLOW_DEPTH = 32;

/** Whether only spaces and a comment are left from `i`. */
function restIsEmpty(s: string, i: number): boolean {
  const j = spaces(s, i);
  return j === s.length || (s[j] === '#' && (j === 0 || s[j - 1] === ' '));
}

/** A block value at `i`: scalar or flow collection, then nothing but a comment. */
function valueLine(s: string, i: number): boolean {
  const end = s[i] === '[' || s[i] === '{' ? flowCollection(s, i) : scalarAt(s, i, false);
  return end !== -1 && restIsEmpty(s, end);
}

function plainLine(line: string): boolean {
  let i = spaces(line, 0);
  if (restIsEmpty(line, i)) return true;
  let item = false;
  if (line[i] === '-' && (line[i + 1] === ' ' || line[i + 1] === undefined)) {
    item = true;
    i = spaces(line, i + 1);
    if (restIsEmpty(line, i)) return true;
  }
  // `key:` and its value, or else a sequence item's value alone (a value alone on a line of its
  // own would continue the scalar above it).
  const keyEnd = scalarAt(line, i, false);
  if (keyEnd !== -1) {
    const colon = spaces(line, keyEnd);
    if (line[colon] === ':' && (line[colon + 1] === ' ' || line[colon + 1] === undefined)) {
      const v = spaces(line, colon + 1);
      return restIsEmpty(line, v) || valueLine(line, v);
    }
  }
  return item && valueLine(line, i);
}

/**
 * The commonest line, `[- ]key: value` with an identifier key and a value without spaces or
 * quotes to escape, recognised by one regular expression (compiled to native code at once, where
 * the scanner above runs interpreted for the first few thousand lines of a cold start). It
 * accepts only lines the scanner accepts.
 */
const SIMPLE_LINE =
  /^ *(?:- +)?[A-Za-z_][\w.-]* *:(?: +(?:[\w./~+$=(][^\s#:'"]*(?:(?::(?=[^\s,[\]{}])|#)[^\s#:'"]*)*|"[^"\\\n]*"|'[^'\n]*'))? *(?: #.*)?$/;

/** Whether every line of `text` is in the fast path's grammar (above). */
function plainLines(text: string): boolean {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => !restIsEmpty(l, 0));
  for (let n = 0; n < lines.length; n++) {
    if (n === first && lines[n]!.trimEnd() === '---') continue;
    if (!SIMPLE_LINE.test(lines[n]!) && !plainLine(lines[n]!)) return false;
  }
  return true;
}

/**
 * The text's value when it is plain YAML that js-yaml reads without complaint and whose root is
 * a mapping (or empty); undefined when yaml must read it.
 */
export function fastYamlValue(text: string): Record<string, unknown> | undefined {
  if (BEYOND_PLAIN.test(text) || !plainLines(text)) return undefined;
  let value: unknown;
  try {
    value = load(text, { schema: YAML_CORE });
  } catch {
    return undefined;
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
