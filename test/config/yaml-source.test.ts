import { expect } from 'chai';
import { parseYamlSource } from '../../src/config/yaml-source.js';

const SAMPLE = [
  'server:', //                                   1
  '  bind: 127.0.0.1', //                          2
  '  port: 8008', //                               3
  'defaults: &defaults', //                        4
  '  banned_words: [viagra, casino]', //           5
  'modules:', //                                   6
  '  - module: ./modules/antispam.js#Antispam', // 7
  '    config: *defaults', //                      8
  '  - module: ./modules/other.js#Other', //       9
  '    config:', //                                10
  '', //                                           11
].join('\n');

describe('parseYamlSource', () => {
  const { value, locate, problems } = parseYamlSource(SAMPLE, 'modhost.yaml');

  it('parses a valid document into plain values, resolving aliases', () => {
    expect(problems).to.deep.equal([]);
    expect(value).to.deep.equal({
      server: { bind: '127.0.0.1', port: 8008 },
      defaults: { banned_words: ['viagra', 'casino'] },
      modules: [
        {
          module: './modules/antispam.js#Antispam',
          config: { banned_words: ['viagra', 'casino'] },
        },
        { module: './modules/other.js#Other', config: null },
      ],
    });
  });

  describe('locate', () => {
    it('gives the 1-based position of the value at a key path', () => {
      expect(locate(['server', 'port'])).to.deep.equal({ line: 3, column: 9 });
      expect(locate(['modules', 1, 'module'])).to.deep.equal({ line: 9, column: 13 });
    });

    it("gives the key's position when asked for the key", () => {
      expect(locate(['server', 'port'], 'key')).to.deep.equal({ line: 3, column: 3 });
    });

    it('gives the position of a list item', () => {
      expect(locate(['modules', 1])).to.deep.equal({ line: 9, column: 5 });
    });

    it('follows aliases to the anchored node', () => {
      expect(locate(['modules', 0, 'config', 'banned_words', 1])).to.deep.equal({
        line: 5,
        column: 26,
      });
    });

    it('gives the key for an empty value', () => {
      expect(locate(['modules', 1, 'config'])).to.deep.equal({ line: 10, column: 5 });
    });

    it('gives the nearest existing parent for a missing key', () => {
      expect(locate(['server', 'public_baseurl'])).to.deep.equal({ line: 2, column: 3 });
      expect(locate(['modules', 7, 'config'])).to.deep.equal({ line: 7, column: 3 });
      expect(locate(['modules', 1, 'config', 'banned_words'])).to.deep.equal({
        line: 10,
        column: 5,
      });
    });

    it('gives the root for the empty path', () => {
      expect(locate([])).to.deep.equal({ line: 1, column: 1 });
    });
  });

  it('reads an empty document as an empty mapping', () => {
    for (const text of ['', '# only a comment\n', '\n\n']) {
      const parsed = parseYamlSource(text, 'f.yaml');
      expect(parsed.problems).to.deep.equal([]);
      expect(parsed.value).to.deep.equal({});
      expect(parsed.locate(['server', 'port'])).to.equal(undefined);
    }
  });

  it('locates the same with CRLF line ends and a byte-order mark', () => {
    for (const text of ['server:\r\n  port: x\r\n', '\ufeffserver:\n  port: x\n']) {
      const parsed = parseYamlSource(text, 'f.yaml');
      expect(parsed.value).to.deep.equal({ server: { port: 'x' } });
      expect(parsed.locate(['server', 'port'])).to.deep.equal({ line: 2, column: 9 });
    }
  });

  it('supports merge keys', () => {
    const parsed = parseYamlSource(
      'base: &base {bind: 127.0.0.1}\nmetrics:\n  <<: *base\n  port: 9100\n',
      'f.yaml',
    );
    expect(parsed.problems).to.deep.equal([]);
    expect((parsed.value as { metrics: unknown }).metrics).to.deep.equal({
      bind: '127.0.0.1',
      port: 9100,
    });
    // A merged key is located where it is written.
    expect(parsed.locate(['metrics', 'bind'])).to.deep.equal({ line: 1, column: 20 });
    expect(parsed.locate(['metrics', 'port'])).to.deep.equal({ line: 4, column: 9 });
  });

  it('accepts moderate use of aliases', () => {
    const lines = ['shared: &s {a: 1, b: [1, 2, 3]}', 'list:'];
    for (let i = 0; i < 500; i++) lines.push('  - *s');
    const parsed = parseYamlSource(lines.join('\n'), 'f.yaml');
    expect(parsed.problems).to.deep.equal([]);
    expect((parsed.value as { list: unknown[] }).list).to.have.length(500);
  });

  it('reports every syntax error with its position and the path around it', () => {
    const { problems: found, value: v } = parseYamlSource(
      'server:\n  port: 1\n  port: 2\nmodules:\n  - module: a\n    module: b\n',
      'f.yaml',
    );
    expect(v).to.equal(undefined);
    expect(found).to.deep.equal([
      {
        file: 'f.yaml',
        line: 3,
        column: 3,
        path: 'server.port',
        message: "duplicate key 'port': a mapping may hold each key only once",
      },
      {
        file: 'f.yaml',
        line: 6,
        column: 5,
        path: 'modules[0].module',
        message: "duplicate key 'module': a mapping may hold each key only once",
      },
    ]);
  });

  describe('never quotes the source in a message', () => {
    const cases: Record<string, string> = {
      'a bad escape in a secret': 'password: "hunter2\\qhunter2"\n',
      'an unclosed quote': 'token: "hunter2\nother: 1\n',
      'a stray bracket': 'a: 1\n]hunter2\n',
      'a bad block scalar header': 'secret: |hunter2\n  x\n',
      'an unknown tag': 'secret: !hunter2 x\n',
      'a plain scalar with a bad start': 'a: [`hunter2]\n',
    };
    for (const [name, text] of Object.entries(cases)) {
      it(name, () => {
        const parsed = parseYamlSource(text, 'f.yaml');
        expect(parsed.problems, 'a problem is reported').to.have.length.above(0);
        for (const p of parsed.problems) {
          expect(p.line).to.be.a('number');
          expect(p.message).to.match(/^YAML syntax error: /);
          expect(p.message).to.not.contain('hunter2');
        }
      });
    }
  });

  it('reports nesting too deep to parse, with a short path', () => {
    const depth = 5000;
    const parsed = parseYamlSource(`a: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, 'f.yaml');
    expect(parsed.problems).to.have.length.above(0);
    expect(parsed.problems[0]!.message).to.equal(
      'YAML syntax error: the document nests too deeply to be read; flatten it',
    );
    expect(parsed.problems[0]!.path).to.have.length.below(120);
  });

  it('reports a root that is not a mapping', () => {
    const parsed = parseYamlSource('\n- a\n- b\n', 'f.yaml');
    expect(parsed.problems).to.deep.equal([
      {
        file: 'f.yaml',
        line: 2,
        column: 1,
        path: '(root)',
        message: 'expected a mapping of sections (server, instance, modules, ...), found a list',
      },
    ]);
  });

  it('stops an alias bomb without expanding it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const parsed = parseYamlSource(lines.join('\n'), 'f.yaml');
    expect(parsed.value).to.equal(undefined);
    expect(parsed.problems).to.have.length(1);
    expect(parsed.problems[0]).to.include({ line: 4, column: 45, path: 'a3[7]' });
    expect(parsed.problems[0]!.message).to.contain('alias bomb');
  });
});
