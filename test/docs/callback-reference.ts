/**
 * Renders docs/callbacks.md from the category definitions (policies, error handling, fail-closed
 * results, timeouts: read from the runtime objects) and from signatures.ts (arguments and
 * results: read with the TypeScript compiler API), plus the notes in callback-notes.ts.
 * `node dist/test/docs/write-callback-reference.js` writes the file; the docs test checks that
 * the committed file equals this output.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import type { CallbackSpec, CategoryDefinition } from '../../src/categories/index.js';
import { CALLBACK_NOTES, CATEGORY_INTROS } from './callback-notes.js';

export interface Signature {
  params: string[];
  result: string;
  doc?: string;
}

/** category → callback → signature, from the `…Callbacks` interfaces named by `SynapseCallbacks`. */
export function readSignatures(file: string): Map<string, Map<string, Signature>> {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  const flat = (node: ts.Node) =>
    node
      .getText(source)
      .replace(/\s+/g, ' ')
      .replace(/,\s*\)/g, ')')
      .replace(/<\s+/g, '<')
      .replace(/\s+>/g, '>')
      .replace(/\(\s+/g, '(');
  const out = new Map<string, Map<string, Signature>>();
  const index = interfaces.get('SynapseCallbacks');
  if (!index) throw new Error(`${file} has no SynapseCallbacks interface`);
  for (const member of index.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const category = (member.name as ts.Identifier).text;
    const decl = interfaces.get(member.type.getText(source));
    if (!decl) throw new Error(`${file}: ${member.type.getText(source)} is not declared there`);
    const callbacks = new Map<string, Signature>();
    for (const cb of decl.members) {
      if (!ts.isPropertySignature(cb) || !cb.type) continue;
      const name = (cb.name as ts.Identifier).text;
      const doc = ts
        .getJSDocCommentsAndTags(cb)
        .map((d) => (typeof d.comment === 'string' ? d.comment : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      if (ts.isFunctionTypeNode(cb.type)) {
        callbacks.set(name, {
          params: cb.type.parameters.map(flat),
          result: flat(cb.type.type),
          doc: doc || undefined,
        });
      } else {
        callbacks.set(name, { params: [], result: flat(cb.type), doc: doc || undefined });
      }
    }
    out.set(category, callbacks);
  }
  return out;
}

function show(value: unknown): string {
  if (value instanceof Map) return value.size === 0 ? 'an empty map' : 'a map';
  if (value instanceof Set) return value.size === 0 ? 'an empty set' : 'a set';
  if (value === undefined) return 'nothing (`undefined`)';
  return `\`${JSON.stringify(value)}\``;
}

function combination(spec: CallbackSpec): string {
  const c = spec.combine;
  switch (c.kind) {
    case 'first-decisive':
      return `first decisive: in order; the first result that is not neutral is returned and later callbacks are not called; if none decides: ${show(c.fallback())}`;
    case 'all':
      return 'all: every callback runs, in order; results are ignored';
    case 'merge':
      return `merge: results are folded in order into ${show(c.initial([]))}${c.isDecisive ? '; a decisive result ends the run at once' : ''}`;
    case 'once':
      return `once: a single module may register it; another registration ${c.duplicate === 'error' ? 'is an error at start' : 'is ignored with a warning'}; if none is registered: ${show(c.fallback())}`;
    case 'custom':
      return 'custom: see the note';
  }
}

function errorHandling(spec: CallbackSpec): string {
  const e = spec.onError;
  if (e.kind === 'propagate') return 'propagates: the operation fails';
  if (e.kind === 'ignore') return 'logged; the callback counts as neutral and the next one runs';
  // What the client reads (the error's own message, naming the callback, stays in the log).
  const message = e.message || 'Internal server error';
  return e.keepHttpErrors
    ? `becomes ${e.status} \`${e.errcode}\` ("${message}") unless the error carries its own HTTP status (\`HttpError\`)`
    : `becomes ${e.status} \`${e.errcode}\` ("${message}"), even when the error carries its own HTTP status`;
}

const RULE_NOTES = {
  shared: 'shared',
  copy: 'own deep copy per callback',
  frozen: 'frozen',
} as const;

/** `name` plus how the argument reaches callbacks, when it is not the caller's value itself. */
function argument(spec: CallbackSpec, param: string, index: number): string {
  const rule = spec.args?.[index] ?? 'shared';
  return rule === 'shared' ? `\`${param}\`` : `\`${param}\` (${RULE_NOTES[rule]})`;
}

function row(label: string, text: string): string {
  return `| ${label} | ${text.replaceAll('|', '\\|')} |`;
}

function renderCallback(
  category: CategoryDefinition,
  name: string,
  spec: CallbackSpec,
  signature: Signature | undefined,
): string[] {
  const lines = [`### \`${category.name}.${name}\``, ''];
  if (spec.description) lines.push(spec.description, '');
  const note = CALLBACK_NOTES[`${category.name}.${name}`];
  if (note) lines.push(note, '');
  lines.push('| | |', '|---|---|');
  if (signature && signature.params.length > 0)
    lines.push(row('arguments', signature.params.map((p, i) => argument(spec, p, i)).join(', ')));
  if (signature)
    lines.push(
      row(signature.params.length > 0 ? 'returns' : 'registered as', `\`${signature.result}\``),
    );
  if (!signature && spec.internal) lines.push(row('registered', 'by the host, not by modules'));
  if (spec.accept)
    lines.push(
      row(
        'registration',
        'the value is checked when registered and turned into entries (see the note)',
      ),
    );
  lines.push(row('combination', combination(spec)));
  lines.push(row('exceptions', errorHandling(spec)));
  lines.push(
    row(
      '`on_error` override',
      spec.decision
        ? `applies: \`fail_closed\` makes a failing or timed-out callback decide ${show(spec.decision.deny())}; \`fail_open\` makes it neutral`
        : 'does not apply (not an allow/deny decision)',
    ),
  );
  if (spec.timeout !== undefined)
    lines.push(row('timeout', `${spec.timeout} ms unless configured`));
  if (spec.prepareArgs)
    lines.push(row('arguments prepared', 'by the category before each callback (see the note)'));
  if (spec.conflict) lines.push(row('conflicts', 'refused at start (see the note)'));
  lines.push('');
  return lines;
}

/** The whole of docs/callbacks.md. */
export function renderCallbackReference(
  categories: readonly CategoryDefinition[],
  signatures: Map<string, Map<string, Signature>>,
): string {
  const lines = [
    '<!-- Generated by test/docs/callback-reference.ts from the category definitions in',
    '     src/categories/synapse and the signatures in src/categories/synapse/signatures.ts.',
    '     Do not edit: run `npm run build && node dist/test/docs/write-callback-reference.js`. -->',
    '',
    '# Callback reference',
    '',
    'Every built-in category, as `ModuleHost` runs it. A module registers a callback with',
    '`@Callback(category, name)` or `api.registerCallbacks(category, { name: fn })` (or the',
    'Synapse-named helper, e.g. `api.registerSpamCheckerCallbacks`); a host runs it with',
    '`host.callbacks.run(category, name, ...args)`. Callbacks of one name run in config order,',
    'one after another, never in parallel. See [defining your own categories](categories.md) for',
    'what the policies mean and [porting from Synapse](porting-from-synapse.md) for the names.',
    '',
    '"Exceptions" applies to a callback that throws or (with `callback_timeout`) times out. A',
    "module's `on_error: fail_closed | fail_open` overrides it for allow/deny decisions only.",
    '',
    'Arguments reach each callback as Synapse hands them over (the [porting guide](porting-from-synapse.md)',
    'lists where modhost protects more): marked "frozen", a deeply frozen',
    "copy shared by the run's callbacks (assigning to it throws; the caller's value never changes;",
    'a value the host already froze, e.g. with `freezeDeep`, is passed as it is); marked "own deep',
    'copy per callback", a copy for each callback; unmarked, the caller\'s value itself.',
    '',
  ];
  lines.push('| category | callbacks |', '|---|---|');
  for (const c of categories) {
    const names = Object.entries(c.callbacks)
      .filter(([, s]) => !s.internal)
      .map(([n]) => `[\`${n}\`](#${`${c.name}${n}`.replace(/[^a-z0-9_]/g, '')})`);
    lines.push(`| [\`${c.name}\`](#${c.name}) | ${names.join(', ')} |`);
  }
  lines.push('');
  for (const category of categories) {
    lines.push(`## ${category.name}`, '');
    lines.push(CATEGORY_INTROS[category.name] ?? category.description ?? '', '');
    if (category.paired?.length)
      for (const group of category.paired)
        lines.push(
          `Registered together or not at all: ${group.map((n) => `\`${n}\``).join(', ')}.`,
          '',
        );
    if (category.exclusive)
      lines.push(
        `The whole category belongs to one module: another module's registration ${category.exclusive === 'error' ? 'is an error' : 'is ignored with a warning'}.`,
        '',
      );
    const sigs = signatures.get(category.name);
    for (const [name, spec] of Object.entries(category.callbacks))
      lines.push(...renderCallback(category, name, spec, sigs?.get(name)));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
