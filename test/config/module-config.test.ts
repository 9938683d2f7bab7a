import { expect } from 'chai';
import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Module } from '../../decorators/index.js';
import { ConfigError } from '../../src/errors/index.js';
import { parseYamlSource } from '../../src/config/yaml-source.js';
import { validateHostConfig } from '../../src/config/host-schema.js';
import { validateModuleConfig } from '../../src/config/module-config.js';
import type { ModuleEntry } from '../../src/config/types.js';

class Rule {
  @IsString() @Matches(/^[a-z]+$/) pattern!: string;
  @IsOptional() @IsInt() @Min(0) weight?: number;
}

class AntispamConfig {
  @IsArray() @IsString({ each: true }) banned_words: string[] = [];
  @IsOptional() @IsInt() @Min(1) @Max(100) threshold?: number;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => Rule) rules?: Rule[];
  @IsOptional() @IsString() api_key?: string;
}

@Module({ name: 'antispam', config: AntispamConfig })
class Antispam {}

/** Parses a YAML host config and returns its entries with the source to locate problems. */
function fromYaml(text: string) {
  const parsed = parseYamlSource(text, 'modhost.yaml');
  expect(parsed.problems).to.deep.equal([]);
  const source = { file: 'modhost.yaml', locate: parsed.locate };
  const { config, problems } = validateHostConfig(parsed.value, source);
  expect(problems).to.deep.equal([]);
  return { entries: config!.modules, source };
}

/** The Antispam module's config check of modules[index] in the YAML file made of `lines`. */
function validateAntispamYaml(lines: string[], index = 0) {
  const { entries, source } = fromYaml(lines.join('\n'));
  return validateModuleConfig(Antispam, AntispamConfig, entries[index]!, source);
}

function entry(config: unknown, index = 0): ModuleEntry {
  return { index, module: 'x', config };
}

describe('validateModuleConfig', () => {
  describe('with a class-validator config class', () => {
    it('returns an instance of the config class, with its defaults', async () => {
      const { value, problems } = await validateModuleConfig(
        Antispam,
        AntispamConfig,
        entry({ threshold: 5 }),
        {},
      );
      expect(problems).to.deep.equal([]);
      expect(value).to.be.instanceOf(AntispamConfig);
      expect(value).to.deep.include({ banned_words: [], threshold: 5 });
    });

    it('reports a wrong type at its full path, located in the YAML', async () => {
      const { value, problems } = await validateAntispamYaml([
        'modules:',
        '  - module: ./a.js#A',
        '    config:',
        '      banned_words: viagra',
        '',
      ]);
      expect(value).to.equal(undefined);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include({
        file: 'modhost.yaml',
        line: 4,
        column: 21,
        path: 'modules[0].config.banned_words',
      });
      expect(problems[0]!.message).to.equal('must be an array; found "viagra"');
    });

    it('points a failed rule on each item at the first offending item', async () => {
      const { problems } = await validateAntispamYaml([
        'modules:',
        '  - module: m',
        '    config:',
        '      banned_words:',
        '        - ok',
        '        - 42',
        '',
      ]);
      expect(problems).to.deep.equal([
        {
          file: 'modhost.yaml',
          line: 6,
          column: 11,
          path: 'modules[0].config.banned_words[1]',
          message: 'each value in banned_words must be a string; found 42',
        },
      ]);
    });

    it('keeps items of a secret list out of the message', async () => {
      class Keys {
        @IsArray() @IsInt({ each: true }) signing_keys: number[] = [];
      }
      const { problems } = await validateModuleConfig(
        class K {},
        Keys,
        entry({ signing_keys: [1, 'ed25519 s3cr3t'] }),
        {},
      );
      expect(problems).to.have.length(1);
      expect(problems[0]!.path).to.equal('modules[0].config.signing_keys[1]');
      expect(problems[0]!.message).to.equal(
        'each value in signing_keys must be an integer number; found <redacted>',
      );
    });

    it('rejects unknown keys with a did-you-mean, pointing at the key', async () => {
      const { problems } = await validateAntispamYaml(
        [
          'modules:',
          '  - module: ./a.js#A',
          '  - module: ./b.js#B',
          '    config:',
          '      banned_word: [a]',
          '',
        ],
        1,
      );
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include({ line: 5, column: 7, path: 'modules[1].config.banned_word' });
      expect(problems[0]!.message).to.contain("unknown key 'banned_word'");
      expect(problems[0]!.message).to.contain("did you mean 'banned_words'?");
    });

    it('maps nested errors in lists of objects to nested paths', async () => {
      const { problems } = await validateAntispamYaml([
        'modules:',
        '  - module: ./a.js#A',
        '    config:',
        '      rules:',
        '        - pattern: abc',
        '        - pattern: def',
        '        - pattern: "NOT OK"',
        '          wieght: 2',
        '',
      ]);
      expect(problems.map((p) => [p.line, p.column, p.path])).to.deep.equal([
        [7, 20, 'modules[0].config.rules[2].pattern'],
        [8, 11, 'modules[0].config.rules[2].wieght'],
      ]);
      expect(problems[0]!.message).to.contain('must match').and.contain('found "NOT OK"');
      expect(problems[1]!.message).to.contain("did you mean 'weight'?");
    });

    it('reports every problem at once', async () => {
      const { problems } = await validateModuleConfig(
        Antispam,
        AntispamConfig,
        entry({ banned_words: 'x', threshold: 500, colour: 'red' }, 3),
        {},
      );
      expect(problems.map((p) => p.path)).to.have.members([
        'modules[3].config.banned_words',
        'modules[3].config.threshold',
        'modules[3].config.colour',
      ]);
    });

    it('never prints the value under a secret-looking key', async () => {
      const { problems } = await validateModuleConfig(
        Antispam,
        AntispamConfig,
        entry({ api_key: 12345678 }),
        {},
      );
      expect(problems).to.have.length(1);
      expect(problems[0]!.path).to.equal('modules[0].config.api_key');
      expect(problems[0]!.message).to.contain('<redacted>').and.not.contain('12345678');
    });

    it('reports a config that is not a mapping', async () => {
      const { problems } = await validateModuleConfig(Antispam, AntispamConfig, entry(['a']), {});
      expect(problems).to.have.length(1);
      expect(problems[0]!.path).to.equal('modules[0].config');
      expect(problems[0]!.message).to.contain('expected a mapping').and.contain('found a list');
    });
  });

  describe('with a static parseConfig', () => {
    class Parsed {
      static parseConfig(raw: unknown) {
        const config = raw as { limits?: { max?: unknown } };
        if (typeof config.limits?.max !== 'number')
          throw new ConfigError('max must be a number', ['limits', 'max']);
        return { max: config.limits.max };
      }
    }

    it('returns what parseConfig returns', async () => {
      const { value, problems } = await validateModuleConfig(
        Parsed,
        undefined,
        entry({ limits: { max: 3 } }),
        {},
      );
      expect(problems).to.deep.equal([]);
      expect(value).to.deep.equal({ max: 3 });
    });

    it('puts the entry path in front of a ConfigError path, Synapse-style', async () => {
      const { entries, source } = fromYaml(
        [
          'modules:',
          '  - module: ./a.js#A',
          '  - module: ./p.js#P',
          '    config:',
          '      limits:',
          '        max: lots',
          '',
        ].join('\n'),
      );
      const { problems } = await validateModuleConfig(Parsed, undefined, entries[1]!, source);
      expect(problems).to.deep.equal([
        {
          file: 'modhost.yaml',
          line: 6,
          column: 14,
          path: 'modules[1].config.limits.max',
          message: "Failed to parse config for module 'Parsed': max must be a number",
        },
      ]);
    });

    it('reports any other exception at the entry config, with its message', async () => {
      class Broken {
        static parseConfig(): never {
          throw new TypeError('cannot read properties of undefined');
        }
      }
      const { entries, source } = fromYaml(
        ['modules:', '  - module: ./b.js#B', '    config: {a: 1}', ''].join('\n'),
      );
      const { problems } = await validateModuleConfig(Broken, undefined, entries[0]!, source);
      expect(problems).to.deep.equal([
        {
          file: 'modhost.yaml',
          line: 3,
          column: 13,
          path: 'modules[0].config',
          message:
            "Failed to parse config for module 'Broken': TypeError: cannot read properties of undefined",
        },
      ]);
    });

    it('awaits an async parseConfig and uses the @Module name', async () => {
      @Module({ name: 'async-one' })
      class AsyncOne {
        static async parseConfig(raw: unknown) {
          await Promise.resolve();
          if ((raw as { ok?: boolean }).ok !== true)
            throw new ConfigError('ok must be true', ['ok']);
          return 'parsed';
        }
      }
      expect(
        await validateModuleConfig(AsyncOne, undefined, entry({ ok: true }), {}),
      ).to.deep.equal({ value: 'parsed', problems: [] });
      const { problems } = await validateModuleConfig(
        AsyncOne,
        undefined,
        entry({ ok: false }),
        {},
      );
      expect(problems[0]).to.deep.equal({
        path: 'modules[0].config.ok',
        message: "Failed to parse config for module 'async-one': ok must be true",
      });
    });

    it('recognises a ConfigError from another copy of modhost by its name', async () => {
      class ForeignConfigError extends Error {
        override name = 'ConfigError';
        constructor(
          message: string,
          readonly path: unknown,
        ) {
          super(message);
        }
      }
      const failWith = (path: unknown) =>
        class Foreign {
          static parseConfig(): never {
            throw new ForeignConfigError('bad', path);
          }
        };
      const paths = await Promise.all(
        [['a', 0, 'b'], 'a', undefined, [{ x: 1 }, 'c']].map(async (path) => {
          const { problems } = await validateModuleConfig(failWith(path), undefined, entry({}), {});
          return problems[0]!.path;
        }),
      );
      expect(paths).to.deep.equal([
        'modules[0].config.a[0].b',
        'modules[0].config.a',
        'modules[0].config',
        'modules[0].config.c',
      ]);
    });

    it('reports a thrown non-Error value', async () => {
      class Strange {
        static parseConfig(): never {
          throw 'nope';
        }
      }
      const { problems } = await validateModuleConfig(Strange, undefined, entry({}), {});
      expect(problems[0]!.message).to.equal("Failed to parse config for module 'Strange': nope");
    });

    it('masks secrets a parseConfig message quotes', async () => {
      class Leaky {
        static parseConfig(raw: unknown): never {
          const r = raw as { password: string; url: string };
          throw new ConfigError(`cannot log in with ${r.password} at ${r.url}`, ['password']);
        }
      }
      const { problems } = await validateModuleConfig(
        Leaky,
        undefined,
        entry({ password: 'hunter2!', url: 'https://bob:sw0rdfish@example.com/' }),
        {},
      );
      expect(problems[0]!.message).to.not.contain('hunter2!').and.not.contain('sw0rdfish');
      expect(problems[0]!.message).to.contain('<redacted>');
    });

    it('runs parseConfig first, then validates its result with the config class', async () => {
      class Defaults {
        static parseConfig(raw: unknown) {
          return { banned_words: [], ...(raw as object) };
        }
      }
      const ok = await validateModuleConfig(Defaults, AntispamConfig, entry({ threshold: 2 }), {});
      expect(ok.problems).to.deep.equal([]);
      expect(ok.value).to.be.instanceOf(AntispamConfig);
      const bad = await validateModuleConfig(Defaults, AntispamConfig, entry({ threshold: 0 }), {});
      expect(bad.problems.map((p) => p.path)).to.deep.equal(['modules[0].config.threshold']);
    });
  });

  it('maps errors of a nested object to nested paths', async () => {
    class Limits {
      @IsInt() max!: number;
    }
    class WithLimits {
      @ValidateNested() @Type(() => Limits) limits!: Limits;
    }
    const { entries, source } = fromYaml(
      ['modules:', '  - module: m', '    config:', '      limits: {max: 1.5, min: 0}', ''].join(
        '\n',
      ),
    );
    const { problems } = await validateModuleConfig(class M {}, WithLimits, entries[0]!, source);
    expect(problems.map((p) => [p.line, p.column, p.path])).to.deep.equal([
      [4, 21, 'modules[0].config.limits.max'],
      [4, 26, 'modules[0].config.limits.min'],
    ]);
  });

  it('reports a missing required property at its parent mapping', async () => {
    class Required {
      @IsString() homeserver!: string;
    }
    const { entries, source } = fromYaml(
      ['modules:', '  - module: m', '    config:', '      other: 1', ''].join('\n'),
    );
    const { problems } = await validateModuleConfig(class M {}, Required, entries[0]!, source);
    expect(problems.map((p) => [p.line, p.column, p.path])).to.deep.equal([
      [4, 7, 'modules[0].config.other'],
      [4, 7, 'modules[0].config.homeserver'],
    ]);
    expect(problems[1]!.message).to.equal('must be a string; found nothing (the key is missing)');
  });

  it('reports a config class whose transform throws, at the entry config', async () => {
    class Throwing {
      @Transform(() => {
        throw new Error('cannot transform');
      })
      @IsString()
      name!: string;
    }
    const { problems } = await validateModuleConfig(class T {}, Throwing, entry({ name: 'x' }), {});
    expect(problems).to.deep.equal([
      {
        path: 'modules[0].config',
        message: "Failed to parse config for module 'T': Error: cannot transform",
      },
    ]);
  });

  it('passes the raw mapping through when there is neither parseConfig nor a config class', async () => {
    class Plain {}
    const raw = { anything: [1, 2] };
    expect(await validateModuleConfig(Plain, undefined, entry(raw), {})).to.deep.equal({
      value: raw,
      problems: [],
    });
  });
});
