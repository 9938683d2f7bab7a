import { expect } from 'chai';
import { renderRecord } from '../../src/logging/logger.js';
import { renderError } from '../../src/cli/report-error.js';
import { ModhostError } from '../../src/errors/modhost-error.js';

describe('rendering for people', () => {
  it('renders a log record on one readable line', () => {
    const line = renderRecord({
      level: 40,
      levelName: 'warn',
      time: Date.UTC(2026, 0, 1, 12, 0, 1, 5),
      msg: 'cache degraded',
      module: 'antispam',
      cache: 'antispam.lookup',
    });
    expect(line).to.equal('12:00:01.005 WARN  [antispam] cache degraded cache=antispam.lookup');
  });

  it('does not repeat an error message the line already says', () => {
    const base = {
      level: 50,
      levelName: 'error',
      msg: 'module "m" failed in onStop(): stop exploded',
    };
    expect(renderRecord({ ...base, err: { type: 'Error', message: 'stop exploded' } })).to.match(
      /ERROR module "m" failed in onStop\(\): stop exploded$/,
    );
    expect(
      renderRecord({
        ...base,
        msg: 'stopping failed',
        err: { type: 'TypeError', message: 'x is undefined' },
      }),
    ).to.match(/stopping failed err=TypeError: x is undefined$/);
  });

  it('prints an error chain once, with codes, and no stack', () => {
    const root = new Error('listen EADDRINUSE: address already in use 127.0.0.1:8008');
    const mid = new ModhostError('MODHOST_LISTEN_FAILED', `could not listen: ${root.message}`, {
      cause: root,
    });
    const top = new ModhostError(
      'MODHOST_LISTEN_FAILED',
      `could not listen for HTTP: ${mid.message}`,
      { cause: mid },
    );
    expect(renderError(top)).to.equal(
      'error: could not listen for HTTP: could not listen: listen EADDRINUSE: address already in use 127.0.0.1:8008 [MODHOST_LISTEN_FAILED]',
    );
    const wrapped = new ModhostError(
      'MODHOST_MODULE_START_FAILED',
      'module "db" failed in onStart()',
      {
        cause: new Error('connection refused'),
      },
    );
    expect(renderError(wrapped).split('\n')).to.deep.equal([
      'error: module "db" failed in onStart() [MODHOST_MODULE_START_FAILED]',
      '  caused by: connection refused',
    ]);
  });
});
