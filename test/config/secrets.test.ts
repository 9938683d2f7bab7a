import { expect } from 'chai';
import { describeValue } from '../../src/errors/config-messages.js';
import { isSecretPath, redactUrlPasswords } from '../../src/config/redact.js';
import { validateHostConfig } from '../../src/config/host-schema.js';

describe('secrets stay out of messages', () => {
  it('recognises secret-looking keys anywhere along a path', () => {
    for (const path of [
      ['api_key'],
      ['modules', 0, 'config', 'password'],
      ['secrets', 'x'],
      ['tokens', 2],
      ['aws_credentials'],
    ]) {
      expect(isSecretPath(path), String(path)).to.equal(true);
    }
    for (const path of [
      ['server', 'port'],
      ['modules', 0, 'config', 'banned_words'],
      ['keep_alive_timeout'],
    ]) {
      expect(isSecretPath(path), String(path)).to.equal(false);
    }
  });

  it('masks passwords in URLs, keeping the rest', () => {
    expect(redactUrlPasswords('redis://:hunter2@redis:6379/0')).to.equal(
      'redis://:<redacted>@redis:6379/0',
    );
    expect(redactUrlPasswords('see https://bob:p@ss@example.com/x and more')).to.equal(
      'see https://bob:<redacted>@example.com/x and more',
    );
    expect(redactUrlPasswords('redis://bob@redis:6379')).to.equal('redis://bob@redis:6379');
    expect(redactUrlPasswords('http://example.com:8080/')).to.equal('http://example.com:8080/');
  });

  it('describes values under secret keys as <redacted>, and structure without content', () => {
    expect(describeValue('hunter2', ['password'])).to.equal('<redacted>');
    expect(describeValue(1234, ['pin_token'])).to.equal('<redacted>');
    expect(describeValue({ a: 'hunter2' }, ['password'])).to.equal('a mapping');
    expect(describeValue(['hunter2'], [])).to.equal('a list');
    expect(describeValue('x'.repeat(100), [])).to.have.length.below(70);
  });

  it('never prints a host-section value that is secret, even under an unknown key', () => {
    const { problems } = validateHostConfig(
      {
        cluster: { redis_url: 'redis://:hunter2@', redis_password: 'hunter2' },
        server: { public_baseurl: 'https://admin:hunter2@example.com/' },
      },
      {},
    );
    expect(problems.map((p) => p.path)).to.deep.equal([
      'server.public_baseurl',
      'cluster.redis_password',
      'cluster.redis_url',
    ]);
    for (const p of problems) expect(p.message).to.not.contain('hunter2');
    expect(problems[0]!.message).to.contain('remove the user name and password');
  });
});

describe('keys in messages', () => {
  it('quotes odd keys so a message stays on one line', () => {
    const { problems } = validateHostConfig({ 'bad\nkey': 1, "it's": 2 }, {});
    expect(problems.map((p) => p.message.split('.')[0])).to.deep.equal([
      'unknown key "bad\\nkey"',
      'unknown key "it\'s"',
    ]);
  });
});
