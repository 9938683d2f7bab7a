import { expect } from 'chai';
import { validateHostConfig } from '../../src/config/host-schema.js';
import { parseYamlSource } from '../../src/config/yaml-source.js';
import type { HostConfig } from '../../src/config/types.js';

const DEFAULTS: HostConfig = {
  server: {
    bind: '127.0.0.1',
    port: 8008,
    listen: true,
    public_baseurl: 'http://localhost:8008/',
    max_request_size: 10 * 1024 * 1024,
    headers_timeout: 10_000,
    request_timeout: 60_000,
    keep_alive_timeout: 5_000,
    drain_timeout: 10_000,
    handler_timeout: 30_000,
    reserved_prefixes: [
      '/_matrix/client',
      '/_matrix/federation',
      '/_matrix/key',
      '/_matrix/media',
      '/_synapse/admin',
      '/_synapse/replication',
    ],
    fast_globals: true,
  },
  instance: { name: 'main', run_background_tasks: true },
  caches: { global_factor: 1, per_cache_factors: {} },
  start_timeout: 30_000,
  watchdog: { enabled: true, blocked_timeout: 10_000, exit: true },
  database: { path: './data', pool_size: 10, query_timeout: 30_000, connect_timeout: 5_000 },
  log_level: 'info',
  modules: [],
};

function validateYaml(text: string) {
  const parsed = parseYamlSource(text, 'modhost.yaml');
  expect(parsed.problems).to.deep.equal([]);
  return validateHostConfig(parsed.value, { file: 'modhost.yaml', locate: parsed.locate });
}

describe('validateHostConfig', () => {
  describe('defaults', () => {
    it('fills every default for an empty configuration', () => {
      for (const raw of [{}, null, undefined]) {
        expect(validateHostConfig(raw, {})).to.deep.equal({ config: DEFAULTS, problems: [] });
      }
    });

    it('fills defaults for null sections and keeps optional sections absent', () => {
      const { config } = validateYaml(
        'server:\ninstance:\ncaches:\ncluster:\nmetrics:\nmodules:\n',
      );
      expect(config).to.deep.equal({ ...DEFAULTS, file: 'modhost.yaml' });
      expect(config).to.not.have.property('cluster');
      expect(config).to.not.have.property('metrics');
    });

    it('derives public_baseurl from the port and adds a missing trailing slash', () => {
      expect(
        validateHostConfig({ server: { port: 9000 } }, {}).config!.server.public_baseurl,
      ).to.equal('http://localhost:9000/');
      expect(
        validateHostConfig({ server: { public_baseurl: 'https://matrix.example.com/base' } }, {})
          .config!.server.public_baseurl,
      ).to.equal('https://matrix.example.com/base/');
    });

    it('fills cluster and metrics defaults when the sections are present', () => {
      const { config } = validateYaml(
        'cluster:\n  redis_url: rediss://redis.internal:6380/2\nmetrics: {}\n',
      );
      expect(config!.cluster).to.deep.equal({
        redis_url: 'rediss://redis.internal:6380/2',
        channel: 'modhost',
        lease_ttl: 5000,
        stall_timeout: 500,
      });
      // With a Redis to elect through, background tasks default to the lease.
      expect(config!.instance.run_background_tasks).to.equal('auto');
      expect(config!.metrics).to.deep.equal({ bind: '127.0.0.1', port: 9090 });
    });
  });

  it('converts durations to ms and sizes to bytes', () => {
    const { config, problems } = validateYaml(
      [
        'server:',
        '  max_request_size: 512K',
        '  headers_timeout: 500ms',
        '  request_timeout: 2m',
        '  keep_alive_timeout: 0',
        '  drain_timeout: 1500',
        '  handler_timeout: 2s',
        'callback_timeout: 5s',
        'modules:',
        '  - module: ./a.js#A',
        '    callback_timeout: 1d',
        '    on_error: fail_closed',
        '',
      ].join('\n'),
    );
    expect(problems).to.deep.equal([]);
    expect(config!.server).to.include({
      max_request_size: 512 * 1024,
      headers_timeout: 500,
      request_timeout: 120_000,
      keep_alive_timeout: 0,
      drain_timeout: 1500,
      handler_timeout: 2000,
    });
    expect(config!.callback_timeout).to.equal(5000);
    expect(config!.modules).to.deep.equal([
      {
        index: 0,
        module: './a.js#A',
        config: {},
        on_error: 'fail_closed',
        callback_timeout: 86_400_000,
      },
    ]);
  });

  it('accepts IPv4, IPv6 and host names for bind, and port 0', () => {
    for (const bind of ['0.0.0.0', '::', '::1', 'localhost', 'host-1.internal']) {
      const { problems } = validateHostConfig({ server: { bind, port: 0 } }, {});
      expect(problems, bind).to.deep.equal([]);
    }
  });

  it('keeps per-cache factors, including odd names, as own properties', () => {
    const { config } = validateHostConfig(
      { caches: { global_factor: 0.5, per_cache_factors: { 'antispam.lookup': 2, __proto__: 3 } } },
      {},
    );
    expect(config!.caches.global_factor).to.equal(0.5);
    expect(config!.caches.per_cache_factors['antispam.lookup']).to.equal(2);
    expect(Object.getPrototypeOf(config!.caches.per_cache_factors)).to.equal(Object.prototype);
  });

  describe('objects given to ModuleHost.create', () => {
    class Antispam {}

    it('accepts a class as module and keeps the config object', () => {
      const config = { banned_words: ['x'] };
      const result = validateHostConfig({ modules: [{ module: Antispam, config }] }, {});
      expect(result.problems).to.deep.equal([]);
      expect(result.config!.modules[0]!.module).to.equal(Antispam);
      expect(result.config!.modules[0]!.config).to.equal(config);
    });

    it('rejects a class where a file is being read (only specs can come from YAML)', () => {
      const { problems } = validateHostConfig(
        { modules: [{ module: Antispam }] },
        { file: 'modhost.yaml' },
      );
      expect(problems[0]!.path).to.equal('modules[0].module');
      expect(problems[0]!.message).to.contain('found a class or function (Antispam)');
    });

    it('reports problems without a file or position', () => {
      const { problems } = validateHostConfig({ server: { port: -1 } }, {});
      expect(problems).to.deep.equal([
        {
          path: 'server.port',
          message:
            'expected a port number (an integer from 0 to 65535; 0 picks a free port), found -1',
        },
      ]);
    });

    it('ignores the keys it is told to ignore', () => {
      const raw = { categories: [], providers: [], modules: [] };
      expect(
        validateHostConfig(raw, { ignoreKeys: ['categories', 'providers'] }).problems,
      ).to.deep.equal([]);
      expect(validateHostConfig(raw, {}).problems.map((p) => p.path)).to.deep.equal([
        'categories',
        'providers',
      ]);
    });

    it('rejects a root that is not an object', () => {
      const { problems } = validateHostConfig([], {});
      expect(problems).to.deep.equal([
        {
          path: '(root)',
          message: 'expected a mapping of sections (server, instance, modules, ...), found a list',
        },
      ]);
    });
  });

  it('reports all problems at once, in source order, with positions', () => {
    const { config, problems } = validateYaml(
      [
        'modules:', //                              1
        '  - module: ""', //                        2
        '    config: null', //                      3
        'server:', //                               4
        '  port: 99999', //                         5
        '  listen: "no"', //                        6
        '  reserved_prefixes: /_matrix', //         7
        'instance:', //                             8
        '  name: "main instance"', //               9
        'cluster:', //                              10
        '  redis_url: redis://', //                 11
        '  chanel: x', //                           12
        'caches:', //                               13
        '  per_cache_factors: [1]', //              14
        'metrics: 9090', //                         15
        '',
      ].join('\n'),
    );
    expect(config).to.equal(undefined);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}`)).to.deep.equal([
      '2:13 modules[0].module',
      '5:9 server.port',
      '6:11 server.listen',
      '7:22 server.reserved_prefixes',
      '9:9 instance.name',
      '11:14 cluster.redis_url',
      '12:3 cluster.chanel',
      '14:22 caches.per_cache_factors',
      '15:10 metrics',
    ]);
    expect(problems[2]!.message).to.equal(
      'expected true or false, found "no"; write true or false without quotes',
    );
    expect(problems[6]!.message).to.contain("did you mean 'channel'?");
  });

  it('checks the rest of a module entry even when its module is missing', () => {
    const { problems } = validateHostConfig({ modules: [{ on_error: 'explode' }] }, {});
    expect(problems.map((p) => p.path)).to.deep.equal(['modules[0].module', 'modules[0].on_error']);
  });

  it('turns a module config of null into an empty mapping', () => {
    const { config } = validateYaml('modules:\n  - module: pkg\n    config:\n  - module: pkg2\n');
    expect(config!.modules.map((m) => m.config)).to.deep.equal([{}, {}]);
  });
});
