import { expect } from 'chai';
import { validateHostConfig } from '../../src/config/host-schema.js';

/** The single problem a server/metrics/caches value gives, as `path: message`. */
function problemFor(raw: Record<string, unknown>): string {
  const { problems } = validateHostConfig(raw, {});
  expect(problems, JSON.stringify(raw)).to.have.length(1);
  return `${problems[0]!.path}: ${problems[0]!.message}`;
}

describe('field checks: messages say what was expected, what was found, and the fix', () => {
  const cases: [Record<string, unknown>, string][] = [
    [
      { server: { bind: '[::1]' } },
      'server.bind: expected an IP address or host name to listen on, such as 127.0.0.1, ::1 or 0.0.0.0, found "[::1]"; write an IPv6 address without brackets',
    ],
    [
      { server: { bind: '999.1.1.1' } },
      'server.bind: expected an IP address or host name to listen on, such as 127.0.0.1, ::1 or 0.0.0.0, found "999.1.1.1"',
    ],
    [
      { server: { bind: 127001 } },
      'server.bind: expected an IP address or host name to listen on, such as 127.0.0.1, ::1 or 0.0.0.0, found 127001',
    ],
    [
      { server: { port: '8008' } },
      'server.port: expected a port number (an integer from 0 to 65535; 0 picks a free port), found "8008"; write the number without quotes',
    ],
    [
      { server: { port: 80.5 } },
      'server.port: expected a port number (an integer from 0 to 65535; 0 picks a free port), found 80.5',
    ],
    [
      { server: { listen: 'yes' } },
      'server.listen: expected true or false, found "yes"; write true or false without quotes',
    ],
    [
      { server: { public_baseurl: 'https://example.com/?a=1' } },
      'server.public_baseurl: expected an http:// or https:// URL such as \'https://example.com/\', found "https://example.com/?a=1"; remove the query or fragment',
    ],
    [
      { server: { headers_timeout: '10 sec' } },
      "server.headers_timeout: expected a positive duration: milliseconds, or a string such as '500ms', '5s', '10m', '5d', found \"10 sec\"; units are ms, s, m, h, d, w, y",
    ],
    [
      { server: { headers_timeout: 0 } },
      "server.headers_timeout: expected a positive duration: milliseconds, or a string such as '500ms', '5s', '10m', '5d', found 0",
    ],
    [
      { server: { max_request_size: '2 TB' } },
      "server.max_request_size: expected a positive size: bytes, or a string such as '512K', '10M', '1G', found \"2 TB\"; units are K, M, G (powers of 1024)",
    ],
    [
      { server: { reserved_prefixes: '/_matrix' } },
      'server.reserved_prefixes: expected a list, each item an absolute URL path such as \'/_matrix/client\', found "/_matrix"',
    ],
    [
      { instance: { name: '' } },
      'instance.name: expected a non-empty name without spaces, found ""',
    ],
    [
      { cluster: { redis_url: 'redis://' } },
      'cluster.redis_url: expected a redis:// or rediss:// URL such as \'redis://127.0.0.1:6379\', found "redis://"',
    ],
    [{ cluster: 'redis://localhost' }, 'cluster: expected a mapping, found "redis://localhost"'],
    [
      { caches: { global_factor: '2' } },
      'caches.global_factor: expected a positive number, found "2"; write the number without quotes',
    ],
    [
      { caches: { per_cache_factors: ['a'] } },
      'caches.per_cache_factors: expected a mapping of cache names to positive numbers, found a list',
    ],
    [
      { log_level: 'INFO' },
      'log_level: expected one of trace, debug, info, warn, error, fatal, found "INFO"',
    ],
    [
      { modules: [{ module: '  ' }] },
      'modules[0].module: expected a module class or a spec string such as \'./modules/antispam.js#Antispam\', found "  "',
    ],
  ];
  for (const [raw, expected] of cases) {
    it(expected.slice(0, 90), () => expect(problemFor(raw)).to.equal(expected));
  }
});
