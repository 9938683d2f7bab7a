/**
 * The corpus of broken configuration files: each one is read through `readConfigFile` (as
 * `modhost serve -c` does) and must give exactly the problems in the table, located.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { readConfigFile } from '../../src/config/load-file.js';
import { formatProblem } from '../../src/errors/index.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/config/', import.meta.url));

/** [line, column, path, a fragment of the message] for each expected problem, in order. */
type Expected = [number, number, string, string];

// prettier-ignore
const CORPUS: Record<string, Expected[]> = {
  'syntax-unclosed-flow.yaml':     [[4, 1, 'server.reserved_prefixes', 'YAML syntax error: flow sequence in block collection must be sufficiently indented and end with a ]']],
  'tab-indent.yaml':               [[2, 1, '(root)', 'tabs are not allowed as indentation; indent with spaces']],
  'duplicate-key.yaml':            [[4, 3, 'server.port', "duplicate key 'port'"]],
  'alias-bomb.yaml':               [[6, 8, 'e[0]', 'YAML aliases expand to more than 10000 nodes here (an alias bomb?)']],
  'alias-cycle.yaml':              [[2, 5, 'modules[0]', 'alias *m refers to a node that contains it']],
  'unresolved-alias.yaml':         [[4, 13, 'modules[0].config', 'unknown alias *defualts: no anchor &defualts is defined before it']],
  'multiple-documents.yaml':       [[3, 1, '(root)', 'several YAML documents']],
  'unclosed-quote-secret.yaml':    [[4, 1, 'cluster.redis_url', 'YAML syntax error: missing closing "quote']],
  'root-list.yaml':                [[1, 1, '(root)', 'expected a mapping of sections (server, instance, modules, ...), found a list']],
  'root-scalar.yaml':              [[1, 1, '(root)', 'found a plain string of 13 characters']],
  'section-not-mapping.yaml':      [[1, 9, 'server', 'expected a mapping, found 8008']],
  'modules-mapping.yaml':          [[4, 3, 'modules', 'expected a list of module entries (- module: ...), found a mapping']],
  'module-item-scalar.yaml':       [[3, 5, 'modules[1]', 'expected a mapping with a module: key, found "./modules/other.js#Other"']],
  'module-not-string.yaml':        [[3, 13, 'modules[1].module', 'expected a module spec string']],
  'module-missing-module.yaml':    [[2, 5, 'modules[0].module', "missing required key 'module'"]],
  'module-unknown-key.yaml':       [[3, 5, 'modules[0].confg', "unknown key 'confg'; did you mean 'config'?"]],
  'unknown-top-level.yaml':        [[3, 1, 'modlues', "unknown key 'modlues'; did you mean 'modules'?"]],
  'unknown-server-key.yaml':       [[3, 3, 'server.max_body_size', "unknown key 'max_body_size'. Allowed keys: bind, port"]],
  'bad-port.yaml':                 [[3, 9, 'server.port', 'expected a port number (an integer from 0 to 65535; 0 picks a free port), found 70000']],
  'bad-bind.yaml':                 [[2, 9, 'server.bind', 'found "0.0.0.0:8008"; put the port in the port setting']],
  'bad-duration.yaml':             [[2, 20, 'server.request_timeout', 'expected a positive duration: milliseconds, or a string such as']],
  'bad-size.yaml':                 [[2, 21, 'server.max_request_size', 'found "10X"; units are K, M, G']],
  'bad-on-error.yaml':             [[4, 15, 'modules[0].on_error', 'expected one of fail_closed, fail_open, found "fail_silently"']],
  'bad-module-callback-timeout.yaml': [[3, 23, 'modules[0].callback_timeout', 'found "5 sec"']],
  'bad-redis-url-secret.yaml':     [[2, 14, 'cluster.redis_url', 'found "http://:<redacted>@redis.internal:6379"']],
  'cluster-missing-redis-url.yaml': [[2, 3, 'cluster.redis_url', "missing required key 'redis_url'"]],
  'bad-global-factor.yaml':        [[2, 18, 'caches.global_factor', 'expected a positive number, found 0']],
  'bad-per-cache-factor.yaml':     [[4, 22, 'caches.per_cache_factors["antispam.lookup"]', 'expected a positive number, found "lots"']],
  'bad-public-baseurl.yaml':       [[2, 19, 'server.public_baseurl', 'expected an http:// or https:// URL']],
  'bad-reserved-prefix.yaml':      [[4, 7, 'server.reserved_prefixes[1]', 'found "_synapse/admin"']],
  'metrics-port-type.yaml':        [[3, 9, 'metrics.port', 'found a list']],
  'metrics-port-clash.yaml':       [[2, 9, 'metrics.port', 'the metrics listener needs a port of its own']],
  'bad-log-level.yaml':            [[1, 12, 'log_level', 'expected one of trace, debug, info, warn, error, fatal, found "verbose"']],
  'negative-callback-timeout.yaml': [[1, 19, 'callback_timeout', 'found "-5s"']],
  'too-long-drain-timeout.yaml':   [[2, 18, 'server.drain_timeout', 'found "30d"; the maximum is 24d (2147483647 ms, the longest delay Node.js timers accept)']],
  'too-long-callback-timeout.yaml': [
    [1, 19, 'callback_timeout', 'found "200d"; the maximum is 24d'],
    [4, 23, 'modules[0].callback_timeout', 'found "25d"; the maximum is 24d'],
  ],
  'too-long-request-timeout.yaml': [
    [2, 20, 'server.request_timeout', 'expected a positive duration: milliseconds, or a string such as \'500ms\', \'5s\', \'10m\', \'5d\', found "9999999999d"; the maximum is 24d'],
    [3, 20, 'server.headers_timeout', 'found 2147483648; the maximum is 24d'],
  ],
  'quoted-boolean.yaml':           [[3, 25, 'instance.run_background_tasks', 'expected true, false or auto, found "false"']],
  'several-errors.yaml': [
    [3, 9, 'server.port', 'found "eighty"'],
    [4, 21, 'server.max_request_size', 'found "1T"'],
    [7, 25, 'instance.run_background_tasks', 'found "yes"; write true or false without quotes'],
    [10, 12, 'log_level', 'found "chatty"'],
    [13, 5, 'modules[0].on_eror', "did you mean 'on_error'?"],
    [14, 5, 'modules[1]', 'expected a mapping with a module: key, found 7'],
  ],
};

describe('broken configuration corpus', () => {
  it('has a table entry for every fixture file (and at least 22 of them)', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).to.deep.equal(Object.keys(CORPUS).sort());
    expect(files.length).to.be.at.least(22);
  });

  for (const [fixture, expected] of Object.entries(CORPUS)) {
    it(`${fixture} → ${expected.map(([l, c, p]) => `${l}:${c} ${p}`).join(', ')}`, async () => {
      const file = FIXTURES + fixture;
      const { config, problems } = await readConfigFile(file);
      expect(config).to.equal(undefined);
      expect(problems.map((p) => [p.line, p.column, p.path])).to.deep.equal(
        expected.map(([line, column, path]) => [line, column, path]),
      );
      problems.forEach((problem, i) => {
        expect(problem.file).to.equal(file);
        expect(problem.message).to.contain(expected[i]![3]);
        const line = formatProblem(problem);
        expect(line).to.match(/^\S+:\d+:\d+: \S+: .+$/);
        // Secrets in the corpus are all 'hunter2'; no message may carry one.
        expect(line).to.not.contain('hunter2');
        expect(line).to.not.contain('\n');
      });
    });
  }
});
