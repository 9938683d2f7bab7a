/**
 * `@Callback` checks a decorated method against the category's declared signature at compile
 * time: compiles test/fixtures/compile-errors with the TypeScript API and expects exactly one
 * error per EXPECT-ERROR line of the wrong fixture, and none in the right one.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/compile-errors/', import.meta.url));

interface Found {
  file: string;
  line: number;
  text: string;
}

function compile(): Found[] {
  const configPath = path.join(FIXTURES, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, FIXTURES);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const pos =
      d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return {
      file: d.file ? path.basename(d.file.fileName) : '(global)',
      line: pos ? pos.line + 1 : 0,
      text: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    };
  });
}

/** For each EXPECT-ERROR comment: the decorator line after it and the method declared below. */
function expectations(file: string): Array<{ line: number; method: string; signature: string }> {
  const lines = readFileSync(path.join(FIXTURES, file), 'utf8').split('\n');
  const out: Array<{ line: number; method: string; signature: string }> = [];
  lines.forEach((text, i) => {
    if (!text.trim().startsWith('// EXPECT-ERROR')) return;
    const decl = /async (\w+)\(([^)]*)\): (.+) \{/.exec(lines[i + 2]!)!;
    out.push({ line: i + 2, method: decl[1]!, signature: `(${decl[2]}) => ${decl[3]}` });
  });
  return out;
}

describe('@Callback compile-time signature checks', function () {
  this.timeout(180_000);
  let found: Found[];
  before(() => {
    found = compile();
  });

  it('rejects every wrongly typed decorated method, naming its signature', () => {
    const expected = expectations('wrong-callback-signature.ts');
    expect(expected).to.have.length(3);
    for (const { line, method, signature } of expected) {
      const error = found.find((f) => f.file === 'wrong-callback-signature.ts' && f.line === line);
      expect(error, `no compile error for ${method} at line ${line}`).to.not.equal(undefined);
      expect(error!.text, method).to.contain(signature);
    }
    expect(found.filter((f) => f.file === 'wrong-callback-signature.ts')).to.have.length(3);
  });

  it('says which declared signature the method misses', () => {
    const text = found.map((f) => f.text).join('\n');
    expect(text).to.contain('(event: SynapseEvent) => Awaitable<SpamCheckResult>');
    expect(text).to.contain('(userId: string) => Awaitable<boolean | null>');
  });

  it('accepts well-typed methods, including callbacks of host-defined categories', () => {
    expect(found.filter((f) => f.file === 'right-callback-signature.ts')).to.deep.equal([]);
  });

  it('rejects unknown categories, names and wrong run() arguments, naming the bad string and the valid ones', () => {
    const lines = readFileSync(path.join(FIXTURES, 'wrong-names.ts'), 'utf8').split('\n');
    const cases = lines.flatMap((text, i) => {
      const m = /^\s*\/\/ EXPECT-ERROR: (.*)$/.exec(text);
      return m ? [{ line: i + 2, parts: m[1]!.split(' | ').map((p) => p.trim()) }] : [];
    });
    expect(cases).to.have.length(13);
    const inFile = found.filter((f) => f.file === 'wrong-names.ts');
    for (const { line, parts } of cases) {
      const texts = inFile.filter((f) => f.line === line).map((f) => f.text);
      expect(texts, `no compile error at wrong-names.ts:${line}`).to.have.length(1);
      for (const part of parts) expect(texts[0], `wrong-names.ts:${line}`).to.contain(part);
    }
    // Nothing else fails: one error per case, and never the unhelpful TS1241 about `never`.
    expect(inFile).to.have.length(cases.length);
    expect(inFile.map((f) => f.text).join('\n')).to.not.contain('TypedPropertyDescriptor<never>');
  });
});
