/** The deferred logger of the reporting commands: no pino until a record passes, then exactly pino. */
import { expect } from 'chai';
import { createDeferredLogger, createLogger } from '../../src/logging/logger.js';
import { lazyLogger } from '../../src/logging/lazy-logger.js';

/** A destination keeping the lines pino writes, without their timestamps. */
function lines(): { write(line: string): void; read(): unknown[] } {
  const kept: string[] = [];
  return {
    write: (line: string) => void kept.push(line),
    read: () =>
      kept.map((l) => {
        const { time: _time, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return rest;
      }),
  };
}

describe('logging/lazyLogger', () => {
  it('makes no real logger while records stay below the level, nor for child(), level or isLevelEnabled', () => {
    let made = 0;
    const log = lazyLogger(() => {
      made++;
      return createLogger({ level: 'warn', destination: lines() });
    }, 'warn');
    const child = log.child({ module: 'antispam' });
    child.info('below');
    child.debug({ a: 1 }, 'below');
    log.trace('below');
    expect(log.level).to.equal('warn');
    expect(log.isLevelEnabled('info')).to.equal(false);
    expect(log.isLevelEnabled('error')).to.equal(true);
    log.level = 'error';
    expect(log.isLevelEnabled('warn')).to.equal(false);
    expect(made).to.equal(0);
  });

  it('writes what pino writes once a record passes: bindings, level, message, error', () => {
    const deferredOut = lines();
    const directOut = lines();
    const deferred = createDeferredLogger({ level: 'warn', destination: deferredOut });
    const direct = createLogger({ level: 'warn', destination: directOut });
    for (const log of [deferred, direct]) {
      const child = log.child({ module: 'antispam' }).child({ component: 'check' });
      child.info('dropped');
      child.warn({ userId: '@a:b' }, 'first %s', 'warning');
      child.error({ err: new TypeError('boom') }, 'failed');
    }
    const strip = (records: unknown[]) =>
      records.map((r) => {
        const { err, ...rest } = r as { err?: { stack?: string } };
        return err ? { ...rest, err: { ...err, stack: typeof err.stack } } : rest;
      });
    expect(strip(deferredOut.read())).to.deep.equal(strip(directOut.read()));
    expect(deferredOut.read()).to.have.length(2);
  });

  it('keeps a level set before the real logger exists, and a child keeps its own', () => {
    const out = lines();
    const log = createDeferredLogger({ level: 'warn', destination: out });
    const child = log.child({ module: 'm' });
    log.level = 'info';
    log.info('now passes');
    child.info('still below the child level');
    expect(out.read().map((r) => (r as { msg: string }).msg)).to.deep.equal(['now passes']);
    expect(log.level).to.equal('info');
    expect(child.level).to.equal('warn');
  });

  it('hands anything else to the real logger (bindings, flush)', () => {
    const log = createDeferredLogger({ level: 'warn', destination: lines() });
    expect(log.child({ module: 'm' }).bindings()).to.deep.equal({ module: 'm' });
    expect(() => log.flush()).not.to.throw();
  });
});
