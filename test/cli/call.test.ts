import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, sourceFixture } from '../helpers/paths.js';

const bin = path.join(repoRoot, 'dist/src/cli/main.js');
const yaml = sourceFixture('host/call.yaml');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });
const event = (body: string) =>
  JSON.stringify([
    { type: 'm.room.message', sender: '@a:b.c', room_id: '!r:b.c', content: { body } },
  ]);

describe('modhost call', () => {
  it('prints the combined result, then each module’s own answer in config order', () => {
    const r = run(
      'call',
      '-c',
      yaml,
      'spam_checker',
      'check_event_for_spam',
      '--args',
      event('spam!'),
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(
      "spam_checker.check_event_for_spam: [ 'M_FORBIDDEN', {} ]\n" +
        "  allow-all: 'NOT_SPAM'\n" +
        "  word-filter: 'M_FORBIDDEN'\n",
    );
  });

  it('--json gives the same as data; a failing callback exits 1 showing the error', () => {
    const r = run(
      'call',
      '-c',
      yaml,
      'spam_checker',
      'user_may_create_room',
      '--args',
      '["@a:b.c"]',
      '--json',
    );
    expect(r.status).to.equal(1);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      category: 'spam_checker',
      name: 'user_may_create_room',
      combined: { error: 'Error: directory unreachable' },
      modules: [{ module: 'allow-all', error: 'Error: directory unreachable' }],
    });
  });

  it('a callback nobody registered gives the empty result', () => {
    const r = run(
      'call',
      '-c',
      yaml,
      'spam_checker',
      'user_may_invite',
      '--args',
      '["@a:b.c","@b:b.c","!r:b.c"]',
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("spam_checker.user_may_invite: 'NOT_SPAM'");
    expect(r.stdout).to.contain('no module registered it');
  });

  it('an unknown callback exits 1 naming it; bad --args or missing names exit 2', () => {
    const unknown = run('call', '-c', yaml, 'spam_checkr', 'check_event_for_spam');
    expect(unknown.status).to.equal(1);
    expect(unknown.stderr).to.contain('spam_checkr');
    for (const args of [
      ['call', '-c', yaml, 'spam_checker'],
      ['call', '-c', yaml, 'spam_checker', 'check_event_for_spam', '--args', '{"not":"an array"}'],
      ['call', '-c', yaml, 'spam_checker', 'check_event_for_spam', '--args', 'nope'],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stderr).to.contain('modhost: ');
    }
  });
});
