/** modhost/validators: each rule accepts what it names, and reports like the config stage. */
import { expect } from 'chai';
import { validateSync } from 'class-validator';
import { Module } from '../../decorators/index.js';
import { createTestHost } from '../../src/testing/index.js';
import {
  IsDuration,
  IsHttpUrl,
  IsMatrixRoomAlias,
  IsMatrixRoomId,
  IsMatrixUserId,
  IsRegExp,
  IsServerName,
  IsSize,
} from '../../src/validators/index.js';
import { rejectionOf } from '../helpers/rejection.js';

class Config {
  @IsDuration() duration: unknown = '5m';
  @IsDuration({ min: '1s', max: '1h' }) bounded: unknown = '10s';
  @IsSize() size: unknown = '10M';
  @IsSize({ max: '1M' }) small: unknown = 1024;
  @IsHttpUrl() url: unknown = 'https://example.com/x';
  @IsRegExp() pattern: unknown = '^@admin.*:example\\.org$';
  @IsMatrixUserId() user: unknown = '@alice:example.com';
  @IsMatrixUserId({ each: true }) admins: unknown = ['@a:example.com', '@b:[::1]:8448'];
  @IsMatrixRoomId() room: unknown = '!abc:example.com';
  @IsMatrixRoomAlias() alias: unknown = '#general:example.com';
  @IsServerName() server: unknown = 'example.com:8448';
}

function failing(patch: Partial<Record<keyof Config, unknown>>): Record<string, string> {
  const config = Object.assign(new Config(), patch);
  const out: Record<string, string> = {};
  for (const e of validateSync(config))
    out[e.property] = Object.values(e.constraints ?? {}).join('; ');
  return out;
}

describe('modhost/validators', () => {
  it('accept the forms they name', () => {
    expect(failing({})).to.deep.equal({});
    expect(
      failing({
        duration: 1500,
        size: '512K',
        url: 'http://127.0.0.1:8080',
        room: '!opaque-v12-room-id',
        server: '1.2.3.4',
        user: '@_historical=User!:matrix.org',
      }),
    ).to.deep.equal({});
  });

  it('reject everything else with a message saying what is expected', () => {
    const errors = failing({
      duration: 'soon',
      bounded: '2h',
      size: '10 parsecs',
      small: '2M',
      url: 'ftp://example.com',
      pattern: '(unclosed',
      user: 'alice',
      admins: ['@ok:example.com', 'bob@example.com'],
      room: '#not-a-room:example.com',
      alias: '#nocolon',
      server: 'exa mple.com',
    });
    expect(errors).to.deep.equal({
      duration:
        "duration must be a duration: milliseconds, or a string such as '500ms', '5s', '10m', '5d'",
      bounded:
        "bounded must be a duration: milliseconds, or a string such as '500ms', '5s', '10m', '5d', at least 1s and at most 1h",
      size: "size must be a size: bytes, or a string such as '512K', '10M', '1G'",
      small: "small must be a size: bytes, or a string such as '512K', '10M', '1G', at most 1M",
      url: 'url must be an absolute http(s) URL such as "https://example.com/path"',
      pattern:
        'pattern must be a valid regular expression (one that compiles), such as "^@admin-.*:example\\\\.com$"',
      user: 'user must be a Matrix user ID such as "@alice:example.com"',
      admins: 'each value in admins must be a Matrix user ID such as "@alice:example.com"',
      room: 'room must be a Matrix room ID such as "!abcdefg:example.com"',
      alias: 'alias must be a Matrix room alias such as "#general:example.com"',
      server: 'server must be a Matrix server name such as "example.com" or "example.com:8448"',
    });
  });

  it('bad bounds are a programming error at decoration time', () => {
    expect(() => IsDuration({ max: 'forever' })).to.throw(
      TypeError,
      /min and max must be a duration/,
    );
  });

  it('in a module config, problems are located and name what was found', async () => {
    class ModConfig {
      @IsDuration() timeout: unknown = '10s';
      @IsMatrixUserId({ each: true }) admins: unknown = [];
    }
    @Module({ name: 'v', config: ModConfig })
    class V {}
    const err = await rejectionOf(
      createTestHost({
        modules: [{ module: V, config: { timeout: 'soon', admins: ['@ok:x.org', 'nope'] } }],
      }),
    );
    expect(err.message).to.include(
      "modules[0].config.timeout: must be a duration: milliseconds, or a string such as '500ms', '5s', '10m', '5d'; found \"soon\"",
    );
    expect(err.message).to.include('modules[0].config.admins[1]');
  });
});
