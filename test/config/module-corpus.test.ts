/**
 * Broken module configs: each file is read as the host reads it, then every entry goes through
 * `validateModuleConfig` with the class its spec names (classes defined here, as the loader
 * would import them), and must give exactly the problems in the table.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { Module } from '../../decorators/index.js';
import { ConfigError, formatProblem, type ConfigProblem } from '../../src/errors/index.js';
import { readConfigFile } from '../../src/config/load-file.js';
import { validateModuleConfig } from '../../src/config/module-config.js';
import type { Class } from '../../decorators/metadata.js';

const FIXTURES = fileURLToPath(
  new URL('../../../test/fixtures/config/module-configs/', import.meta.url),
);

class Rule {
  @IsString() @Matches(/^[a-z]+$/) pattern!: string;
  @IsInt() @Min(0) weight!: number;
}

class AntispamConfig {
  @IsArray() @IsString({ each: true }) banned_words: string[] = [];
  @IsOptional() @IsInt() @Min(1) threshold?: number;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => Rule) rules?: Rule[];
  @IsOptional() @IsString() api_key?: string;
  @IsOptional() @IsString() @Matches(/^https:\/\/[^@]+$/) webhook?: string;
}

@Module({ name: 'antispam', config: AntispamConfig })
class Antispam {}

@Module({ name: 'ratelimit' })
class RateLimit {
  static parseConfig(raw: { limits?: Record<string, unknown> }) {
    // `in` on a non-object throws a TypeError: the kind of bug parseConfig code has.
    if (!('limits' in raw) || raw.limits === undefined) throw new ConfigError('limits is required');
    for (const [name, value] of Object.entries(raw.limits)) {
      if (typeof value !== 'number') throw new ConfigError('must be a number', ['limits', name]);
    }
    if (Object.keys(raw.limits).length === 0)
      throw new ConfigError('needs at least one limit', ['limits']);
    return raw;
  }
}

const CLASSES: Record<string, { cls: Class; config?: Class }> = {
  './antispam.js#Antispam': { cls: Antispam, config: AntispamConfig },
  './ratelimit.js#RateLimit': { cls: RateLimit },
};

type Expected = [number, number, string, string];

// prettier-ignore
const CORPUS: Record<string, Expected[]> = {
  'wrong-type.yaml':   [[4, 21, 'modules[0].config.banned_words', 'must be an array; found "viagra"']],
  'unknown-key.yaml':  [[4, 7, 'modules[0].config.banned_word', "unknown key 'banned_word'; did you mean 'banned_words'?"]],
  'nested-rule.yaml': [
    [6, 22, 'modules[0].config.rules[1].pattern', 'must match /^[a-z]+$/ regular expression; found "Free Money"'],
    [6, 44, 'modules[0].config.rules[1].weight', 'must not be less than 0; found -2'],
  ],
  'secret-value.yaml': [
    [4, 16, 'modules[0].config.api_key', 'must be a string; found <redacted>'],
    [5, 16, 'modules[0].config.webhook', 'found "https://bot:<redacted>@hooks.example.com/"'],
  ],
  'parse-config-error.yaml': [[6, 19, 'modules[1].config.limits.messages', "Failed to parse config for module 'ratelimit': must be a number"]],
  'parse-config-exception.yaml': [[3, 13, 'modules[0].config', "Failed to parse config for module 'ratelimit': TypeError: Cannot use 'in' operator to search for 'limits' in fast"]],
  'several.yaml': [
    [4, 30, 'modules[0].config.banned_words[1]', 'each value in banned_words must be a string; found 7'],
    [5, 18, 'modules[0].config.threshold', 'must not be less than 1; found 0'],
    [6, 7, 'modules[0].config.colour', "unknown key 'colour'"],
    [9, 15, 'modules[1].config.limits', "Failed to parse config for module 'ratelimit': needs at least one limit"],
  ],
};

async function problemsOf(file: string): Promise<ConfigProblem[]> {
  const { config, problems, locate } = await readConfigFile(file);
  expect(problems).to.deep.equal([]);
  const all: ConfigProblem[] = [];
  for (const entry of config!.modules) {
    const { cls, config: configClass } = CLASSES[entry.module as string]!;
    const result = await validateModuleConfig(cls, configClass, entry, { file, locate });
    all.push(...result.problems);
  }
  return all;
}

describe('broken module config corpus', () => {
  it('has a table entry for every fixture file', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).to.deep.equal(Object.keys(CORPUS).sort());
  });

  for (const [fixture, expected] of Object.entries(CORPUS)) {
    it(`${fixture} → ${expected.map(([l, c, p]) => `${l}:${c} ${p}`).join(', ')}`, async () => {
      const file = FIXTURES + fixture;
      const problems = await problemsOf(file);
      expect(problems.map((p) => [p.line, p.column, p.path])).to.deep.equal(
        expected.map(([line, column, path]) => [line, column, path]),
      );
      problems.forEach((problem, i) => {
        expect(problem.file).to.equal(file);
        expect(problem.message).to.contain(expected[i]![3]);
        expect(formatProblem(problem)).to.not.contain('hunter2').and.not.contain('31337');
      });
    });
  }
});
