/**
 * YAML text → plain value, plus a locator that maps key paths back to line and column.
 * Syntax errors, duplicate keys and alias abuse become located problems; no message ever
 * quotes the source, which may hold secrets.
 */
import type { Document, Node as YamlNode, Pair } from 'yaml';
import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  visit,
} from '../deps/yaml.js';
import type { ConfigPath, ConfigProblem } from '../errors/index.js';
import { renderPath } from '../errors/index.js';
import {
  aliasBombMessage,
  aliasCycleMessage,
  aliasUnresolvedMessage,
  duplicateKeyMessage,
  rootNotMappingMessage,
  yamlSyntaxMessage,
} from '../errors/config-messages.js';
import type { Locator, LocateTarget } from './types.js';
import { fastYamlValue } from './yaml-fast.js';

/** Nodes that aliases may add to the document in total; far above any real configuration. */
export const MAX_ALIAS_EXPANSION = 10_000;

export interface YamlSource {
  value: unknown;
  locate: Locator;
  problems: ConfigProblem[];
}

type Doc = Document.Parsed;

function parse(text: string): { doc: Doc; lineCounter: InstanceType<typeof LineCounter> } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    merge: true,
  });
  return { doc, lineCounter };
}

const positionIn =
  (lineCounter: InstanceType<typeof LineCounter>) =>
  (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

/**
 * A locator that parses `text` with yaml when first asked (a problem found after loading), rather
 * than holding a document: its nodes are ten times the text, and a host keeps its locator while
 * it imports every module, whose garbage collections would mark them all again and again.
 */
function lazyLocator(text: string): Locator {
  let parsed: { doc: Doc; position: ReturnType<typeof positionIn> } | undefined;
  return (path, target) => {
    if (parsed === undefined) {
      const { doc, lineCounter } = parse(text);
      parsed = { doc, position: positionIn(lineCounter) };
    }
    return locateNode(parsed.doc, path, target, parsed.position);
  };
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const locate = lazyLocator(text);
  // Plain YAML (most files) takes the fast path; yaml reads the rest, and reports its problems.
  const fast = fastYamlValue(text);
  if (fast !== undefined) return { value: fast, locate, problems: [] };
  const { doc, lineCounter } = parse(text);
  const position = positionIn(lineCounter);
  const problem = (offset: number, path: ConfigPath, message: string): ConfigProblem => ({
    file,
    ...position(offset),
    path: renderPath(path),
    message,
  });

  // Warnings (an unknown tag, a collection as a key) are problems too: a configuration that
  // yaml had to guess about is not what its author meant.
  const problems: ConfigProblem[] = [...doc.errors, ...doc.warnings].map((error) => {
    const offset = error.pos[0];
    // A second document is outside the first one's nodes, whatever their ranges say.
    const path = error.code === 'MULTIPLE_DOCS' ? [] : pathAt(doc, offset);
    const message =
      error.code === 'DUPLICATE_KEY'
        ? duplicateKeyMessage(keyAt(doc, offset))
        : yamlSyntaxMessage(error.code, error.message);
    return problem(offset, path, message);
  });
  if (problems.length > 0) return { value: undefined, locate, problems };

  for (const aliasProblem of checkAliases(doc)) {
    problems.push(
      problem(aliasProblem.offset, pathAt(doc, aliasProblem.offset), aliasProblem.message),
    );
  }
  if (problems.length > 0) return { value: undefined, locate, problems };

  // Aliases are bounded above, so yaml's own (coarser) alias limit is not needed.
  // An empty document (or a lone `~`) is an empty configuration: every default applies.
  const js: unknown = doc.contents === null ? null : doc.toJS({ maxAliasCount: -1 });
  const value = js ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(problem(doc.contents?.range?.[0] ?? 0, [], rootNotMappingMessage(value)));
  }
  return { value, locate, problems };
}

// ---------------------------------------------------------------------------------------------
// Locating paths

function keyText(key: unknown): string | undefined {
  if (isScalar(key) && typeof key.value !== 'symbol') return String(key.value);
  return undefined;
}

/** With merge keys on, yaml gives `<<` a symbol value. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.value === '<<');
}

/** The node an alias stands for (an alias never points at another alias: anchors are on nodes). */
function resolveAlias(doc: Doc, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

function startOf(node: unknown): number | undefined {
  const range = (node as YamlNode | null)?.range;
  return range ? range[0] : undefined;
}

function locateNode(
  doc: Doc,
  path: ConfigPath,
  target: LocateTarget | undefined,
  position: (offset: number) => { line: number; column: number },
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  for (const part of path) {
    const container = resolveAlias(doc, node);
    let next: unknown;
    let found = false;
    if (isMap(container)) {
      const match = findPair(doc, container, String(part), 0);
      if (match) {
        pair = match;
        next = match.value;
        found = true;
      }
    } else if (isSeq(container)) {
      const index = typeof part === 'number' ? part : Number(part);
      if (Number.isInteger(index) && index >= 0 && index < container.items.length) {
        pair = undefined;
        next = container.items[index];
        found = true;
      }
    }
    if (!found) {
      // The nearest existing parent: the pair's key when its value is empty, else the value.
      const offset = isEmptyScalar(node) || node === null ? startOf(pair?.key) : startOf(node);
      return offset === undefined ? undefined : position(offset);
    }
    node = next;
  }
  const wantKey = target === 'key' || node === null || isEmptyScalar(node);
  const offset = wantKey && pair ? startOf(pair.key) : (startOf(node) ?? startOf(pair?.key));
  return offset === undefined ? undefined : position(offset);
}

/**
 * The entry for `key` in a mapping: its own, else one it takes from a merge key (`<<: *base`,
 * `<<: [*a, *b]`, earlier sources first), as YAML's merge rules say.
 */
function findPair(doc: Doc, map: unknown, key: string, depth: number): Pair | undefined {
  if (!isMap(map) || depth > 20) return undefined;
  const own = map.items.find((p) => keyText(p.key) === key);
  if (own) return own;
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) continue;
    const value = resolveAlias(doc, pair.value);
    const sources = isSeq(value) ? value.items.map((item) => resolveAlias(doc, item)) : [value];
    for (const merged of sources) {
      const found = findPair(doc, merged, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

const MAX_PATH_DEPTH = 32;

/** The key path of the innermost node around `offset` (for syntax errors). */
function pathAt(doc: Doc, offset: number): (string | number)[] {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  const contains = (n: unknown) => {
    const range = (n as YamlNode | null)?.range;
    return !!range && range[0] <= offset && offset <= range[1];
  };
  // Deeper paths only come from pathological nesting; a short path reads better there.
  while (path.length < MAX_PATH_DEPTH) {
    if (isMap(node)) {
      const pair = node.items.find((p) => contains(p.key) || contains(p.value));
      const key = pair ? keyText(pair.key) : undefined;
      if (!pair || key === undefined) return path;
      path.push(key);
      if (!contains(pair.value)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex(contains);
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else {
      return path;
    }
  }
  return path;
}

/** The text of the scalar key starting at `offset`, if any. */
function keyAt(doc: Doc, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = keyText(pair.key);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Aliases: unresolved, cyclic, or expanding past MAX_ALIAS_EXPANSION

interface AliasProblem {
  offset: number;
  message: string;
}

function checkAliases(doc: Doc): AliasProblem[] {
  // One pre-order pass: an alias refers to the last anchor of that name before it (as yaml does).
  // (A plain recursive walk: yaml's generic `visit` costs more than the parse itself here.)
  const anchors = new Map<string, YamlNode>();
  const aliases: { alias: YamlNode & { source: string }; target: YamlNode | undefined }[] = [];
  const walk = (node: unknown): void => {
    if (isAlias(node)) {
      aliases.push({ alias: node, target: anchors.get(node.source) });
      return;
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return;
    if (node.anchor) anchors.set(node.anchor, node);
    if (isScalar(node)) return;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        walk(item.key);
        walk(item.value);
      } else walk(item);
    }
  };
  walk(doc.contents);
  if (aliases.length === 0) return [];
  const targets = new Map(aliases.map(({ alias, target }) => [alias, target]));

  const sizes = new Map<unknown, number>();
  const inProgress = new Set<unknown>();
  const CYCLE = -1;
  const sizeOf = (node: unknown): number => {
    if (node === null || node === undefined) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (inProgress.has(node)) return CYCLE;
    inProgress.add(node);
    let size = 1;
    const add = (child: unknown) => {
      const childSize = sizeOf(child);
      size = childSize === CYCLE || size === CYCLE ? CYCLE : size + childSize;
    };
    if (isAlias(node)) {
      const target = targets.get(node);
      size = target === undefined ? 1 : sizeOf(target);
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          add(item.key);
          add(item.value);
        } else add(item);
      }
    }
    inProgress.delete(node);
    sizes.set(node, size);
    return size;
  };

  const problems: AliasProblem[] = [];
  let added = 0;
  for (const { alias, target } of aliases) {
    const offset = alias.range?.[0] ?? 0;
    if (target === undefined) {
      problems.push({ offset, message: aliasUnresolvedMessage(alias.source) });
      continue;
    }
    const size = sizeOf(target);
    if (size === CYCLE) {
      problems.push({ offset, message: aliasCycleMessage(alias.source) });
      continue;
    }
    added += size;
    if (added > MAX_ALIAS_EXPANSION) {
      problems.push({ offset, message: aliasBombMessage(MAX_ALIAS_EXPANSION) });
      break;
    }
  }
  return problems;
}
