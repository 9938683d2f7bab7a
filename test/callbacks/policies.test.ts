/** The generic machinery, through a host-defined category built with the public API. */
import { expect } from 'chai';
import { HttpError, ModuleFailedError } from '../../src/callbacks/http-error.js';
import { CallbackTimeoutError } from '../../src/callbacks/invoke.js';
import {
  defineCategory,
  firstDecisive,
  ignoreAndLog,
  merge,
  once,
  propagate,
  runAll,
  wrapAsModuleFailure,
} from '../../src/categories/define.js';
import { ErrorCode } from '../../src/errors/codes.js';
import { failing, failureLogs, hanging, recorder, rejection, setup, throws } from './helpers.js';

const audit = defineCategory({
  name: 'audit',
  callbacks: {
    may_export: {
      combine: firstDecisive({ isNeutral: (r) => r === 'allow', fallback: () => 'allow' }),
      onError: propagate(),
      decision: { deny: () => 'deny' },
    },
    may_import: {
      combine: firstDecisive({
        normalise: (raw) => (raw === true ? 'allow' : raw),
        isNeutral: (r) => r === 'allow',
        fallback: () => 'allow',
      }),
      onError: ignoreAndLog(),
      decision: { deny: () => 'deny' },
    },
    may_delete: {
      combine: firstDecisive({ isNeutral: (r) => r !== false, fallback: () => true }),
      onError: wrapAsModuleFailure(),
    },
    on_exported: { combine: runAll(), onError: ignoreAndLog() },
    on_imported: { combine: runAll(), onError: propagate() },
    tags: {
      combine: merge({
        initial: () => [] as string[],
        reduce: (acc, raw) => [...(acc as string[]), ...(raw as string[])],
      }),
      onError: ignoreAndLog(),
    },
    exporter: {
      combine: once({ duplicate: 'error', fallback: () => 'none' }),
      onError: propagate(),
    },
  },
});

const categories = [audit];

describe('first-decisive', () => {
  it('calls in config order and stops at the first decisive result', async () => {
    const { registry, mod } = setup({ categories });
    const calls: string[] = [];
    registry.register(mod(0), 'audit', { may_export: recorder(calls, 'a', 'allow') });
    registry.register(mod(1), 'audit', { may_export: recorder(calls, 'b', 'deny') });
    registry.register(mod(2), 'audit', { may_export: recorder(calls, 'c', 'allow') });
    expect(await registry.run(audit.name, 'may_export', 'u')).to.equal('deny');
    expect(calls).to.deep.equal(['a', 'b']);
  });

  it('returns the fallback when every callback is neutral, or none is registered', async () => {
    const { registry, mod } = setup({ categories });
    expect(await registry.run(audit.name, 'may_export')).to.equal('allow');
    const calls: string[] = [];
    registry.register(mod(0), 'audit', { may_import: recorder(calls, 'a', true) });
    registry.register(mod(1), 'audit', { may_import: recorder(calls, 'b', 'allow') });
    expect(await registry.run(audit.name, 'may_import')).to.equal('allow');
    expect(calls).to.deep.equal(['a', 'b']);
  });

  it('passes every argument and accepts synchronous callbacks', async () => {
    const { registry, mod } = setup({ categories });
    const seen: unknown[][] = [];
    registry.register(mod(0), 'audit', {
      may_export: (...args: unknown[]) => {
        seen.push(args);
        return 'allow';
      },
    });
    await registry.run(audit.name, 'may_export', 1, 'two', { three: 3 }, [4], 5, 6);
    expect(seen).to.deep.equal([[1, 'two', { three: 3 }, [4], 5, 6]]);
  });
});

describe('error policies', () => {
  it('propagate: the exception fails the run; later callbacks are not called; it is logged', async () => {
    const { registry, mod, logs } = setup({ categories });
    const calls: string[] = [];
    const boom = new Error('boom');
    registry.register(mod(0), 'audit', { may_export: failing(calls, 'a', boom) });
    registry.register(mod(1), 'audit', { may_export: recorder(calls, 'b', 'deny') });
    expect(await rejection(registry.run(audit.name, 'may_export'))).to.equal(boom);
    expect(calls).to.deep.equal(['a']);
    const [log] = failureLogs(logs);
    expect(log).to.include({
      module: 'first',
      category: 'audit',
      callback: 'may_export',
      levelName: 'error',
    });
  });

  it('a synchronous throw is handled like a rejection', async () => {
    const { registry, mod } = setup({ categories });
    registry.register(mod(0), 'audit', {
      may_export: () => {
        throw new Error('sync');
      },
    });
    expect((await rejection(registry.run(audit.name, 'may_export'))).message).to.equal('sync');
  });

  it('ignore-and-log: the failing callback counts as neutral and the next one decides', async () => {
    const { registry, mod, logs } = setup({ categories });
    const calls: string[] = [];
    registry.register(mod(0), 'audit', { may_import: failing(calls, 'a') });
    registry.register(mod(1), 'audit', { may_import: recorder(calls, 'b', 'deny') });
    expect(await registry.run(audit.name, 'may_import')).to.equal('deny');
    expect(calls).to.deep.equal(['a', 'b']);
    const [log] = failureLogs(logs);
    expect(log).to.include({
      module: 'first',
      category: 'audit',
      callback: 'may_import',
      levelName: 'warn',
    });
    expect((log!.err as { message: string }).message).to.equal('a broke');
  });

  it('wrap: a plain exception becomes a 500 module failure; an HttpError keeps its status', async () => {
    const { registry, mod } = setup({ categories });
    registry.register(mod(0), 'audit', { may_delete: failing([], 'a') });
    const wrapped = await rejection(registry.run(audit.name, 'may_delete'));
    expect(wrapped).to.be.instanceOf(ModuleFailedError);
    expect(wrapped).to.include({
      status: 500,
      errcode: 'M_UNKNOWN',
      code: ErrorCode.MODULE_FAILED,
    });
    expect(wrapped.message).to.equal('Failed to run `may_delete` module API callback');
    expect(wrapped.cause.message).to.equal('a broke');

    const other = setup({ categories });
    const teapot = new HttpError(418, 'M_TEAPOT', 'short and stout');
    other.registry.register(other.mod(0), 'audit', { may_delete: failing([], 'a', teapot) });
    expect(await rejection(other.registry.run(audit.name, 'may_delete'))).to.equal(teapot);
  });

  it('ALL with ignore: every callback runs even when one throws', async () => {
    const { registry, mod, logs } = setup({ categories });
    const calls: string[] = [];
    registry.register(mod(0), 'audit', { on_exported: recorder(calls, 'a') });
    registry.register(mod(1), 'audit', { on_exported: failing(calls, 'b') });
    registry.register(mod(2), 'audit', { on_exported: recorder(calls, 'c') });
    expect(await registry.run(audit.name, 'on_exported')).to.equal(undefined);
    expect(calls).to.deep.equal(['a', 'b', 'c']);
    expect(failureLogs(logs).map((r) => r.module)).to.deep.equal(['second']);
  });

  it('ALL with propagate: the chain stops at the exception', async () => {
    const { registry, mod } = setup({ categories });
    const calls: string[] = [];
    registry.register(mod(0), 'audit', { on_imported: recorder(calls, 'a') });
    registry.register(mod(1), 'audit', { on_imported: failing(calls, 'b') });
    registry.register(mod(2), 'audit', { on_imported: recorder(calls, 'c') });
    expect((await rejection(registry.run(audit.name, 'on_imported'))).message).to.equal('b broke');
    expect(calls).to.deep.equal(['a', 'b']);
  });

  it('MERGE folds results in order and skips ignored failures', async () => {
    const { registry, mod } = setup({ categories });
    registry.register(mod(0), 'audit', { tags: async () => ['x'] });
    registry.register(mod(1), 'audit', { tags: failing([], 'b') });
    registry.register(mod(2), 'audit', { tags: async () => ['y', 'z'] });
    expect(await registry.run(audit.name, 'tags')).to.deep.equal(['x', 'y', 'z']);
  });

  it('ONCE runs the single registration, or gives the fallback', async () => {
    const { registry, mod } = setup({ categories });
    expect(await registry.run(audit.name, 'exporter')).to.equal('none');
    registry.register(mod(0), 'audit', { exporter: async (x: string) => `csv:${x}` });
    expect(await registry.run(audit.name, 'exporter', 'a')).to.equal('csv:a');
    const err = throws(() => registry.register(mod(1), 'audit', { exporter: async () => 'json' }));
    expect(err.code).to.equal(ErrorCode.CALLBACK_ONCE_VIOLATED);
  });
});

describe('on_error override for decision callbacks', () => {
  it('fail_closed: an exception denies even where the policy propagates', async () => {
    const { registry, mod, logs } = setup({ categories });
    const calls: string[] = [];
    registry.register(mod(0, { on_error: 'fail_closed' }), 'audit', {
      may_export: failing(calls, 'a'),
    });
    registry.register(mod(1), 'audit', { may_export: recorder(calls, 'b', 'allow') });
    expect(await registry.run(audit.name, 'may_export')).to.equal('deny');
    expect(calls).to.deep.equal(['a']);
    expect(failureLogs(logs)[0]).to.include({
      module: 'first',
      outcome: 'denied (on_error: fail_closed)',
    });
  });

  it('fail_closed: an exception denies where the policy would ignore it', async () => {
    const { registry, mod } = setup({ categories });
    registry.register(mod(0, { on_error: 'fail_closed' }), 'audit', {
      may_import: failing([], 'a'),
    });
    registry.register(mod(1), 'audit', { may_import: async () => 'allow' });
    expect(await registry.run(audit.name, 'may_import')).to.equal('deny');
  });

  it('fail_open: an exception counts as neutral where the policy propagates', async () => {
    const { registry, mod } = setup({ categories });
    const calls: string[] = [];
    registry.register(mod(0, { on_error: 'fail_open' }), 'audit', {
      may_export: failing(calls, 'a'),
    });
    registry.register(mod(1), 'audit', { may_export: recorder(calls, 'b', 'allow') });
    expect(await registry.run(audit.name, 'may_export')).to.equal('allow');
    expect(calls).to.deep.equal(['a', 'b']);
  });

  it('does not apply to callbacks that are not decisions', async () => {
    const { registry, mod } = setup({ categories });
    registry.register(mod(0, { on_error: 'fail_open' }), 'audit', {
      on_imported: failing([], 'a'),
    });
    expect((await rejection(registry.run(audit.name, 'on_imported'))).message).to.equal('a broke');
  });
});

describe('callback_timeout', () => {
  it('a callback that does not settle counts as an exception under its policy; the run goes on', async () => {
    const { registry, mod, logs } = setup({ categories, callbackTimeout: 20 });
    const calls: string[] = [];
    registry.register(mod(0), 'audit', { may_import: hanging(calls, 'a') });
    registry.register(mod(1), 'audit', { may_import: recorder(calls, 'b', 'deny') });
    expect(await registry.run(audit.name, 'may_import')).to.equal('deny');
    expect(calls).to.deep.equal(['a', 'b']);
    const [log] = failureLogs(logs);
    expect(log).to.include({ module: 'first', callback: 'may_import' });
    expect((log!.err as { message: string }).message).to.contain('did not settle within 20 ms');
  });

  it('under propagate the run fails with CALLBACK_TIMEOUT naming the module', async () => {
    const { registry, mod } = setup({ categories, callbackTimeout: 20 });
    registry.register(mod(0), 'audit', { may_export: hanging([], 'a') });
    const err = await rejection(registry.run(audit.name, 'may_export'));
    expect(err).to.be.instanceOf(CallbackTimeoutError);
    expect(err.code).to.equal(ErrorCode.CALLBACK_TIMEOUT);
    expect(err.message).to.contain('"first"');
  });

  it('a module-level callback_timeout overrides the host-wide one', async () => {
    const { registry, mod } = setup({ categories });
    registry.register(mod(0, { callback_timeout: 20 }), 'audit', { may_import: hanging([], 'a') });
    registry.register(mod(1), 'audit', { may_import: async () => 'deny' });
    expect(await registry.run(audit.name, 'may_import')).to.equal('deny');
  });

  it('fail_closed turns a timeout into a denial', async () => {
    const { registry, mod } = setup({ categories, callbackTimeout: 20 });
    registry.register(mod(0, { on_error: 'fail_closed' }), 'audit', {
      may_import: hanging([], 'a'),
    });
    registry.register(mod(1), 'audit', { may_import: async () => 'allow' });
    expect(await registry.run(audit.name, 'may_import')).to.equal('deny');
  });

  it('a callback that settles in time is unaffected', async () => {
    const { registry, mod } = setup({ categories, callbackTimeout: 5000 });
    registry.register(mod(0), 'audit', { may_export: async () => 'deny' });
    expect(await registry.run(audit.name, 'may_export')).to.equal('deny');
  });
});

describe('metrics', () => {
  it('counts calls, errors and timeouts per module/category/callback', async () => {
    const { registry, mod, metrics } = setup({ categories, callbackTimeout: 20 });
    registry.register(mod(0), 'audit', { may_import: failing([], 'a') });
    registry.register(mod(1), 'audit', { may_import: hanging([], 'b') });
    registry.register(mod(2), 'audit', { may_import: async () => 'allow' });
    await registry.run(audit.name, 'may_import');
    await registry.run(audit.name, 'may_import');
    const text = await metrics.metrics();
    const line = (name: string, module: string) =>
      text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`module="${module}"`));
    expect(line('modhost_callback_calls_total', 'first')).to.match(
      /category="audit",callback="may_import"} 2$/,
    );
    expect(line('modhost_callback_errors_total', 'first')).to.match(/} 2$/);
    expect(line('modhost_callback_timeouts_total', 'second')).to.match(/} 2$/);
    expect(line('modhost_callback_errors_total', 'second')).to.equal(undefined);
    expect(line('modhost_callback_calls_total', 'third')).to.match(/} 2$/);
    expect(line('modhost_callback_duration_seconds_count', 'third')).to.match(/} 2$/);
    // A second scrape reports totals, not the same deltas again.
    const again = await metrics.metrics();
    expect(
      again
        .split('\n')
        .find((l) => l.startsWith('modhost_callback_calls_total{') && l.includes('"first"')),
    ).to.match(/} 2$/);
  });
});

describe('defineCategory', () => {
  it('rejects a malformed definition, listing every problem', () => {
    const err = throws(() =>
      defineCategory({
        name: 'bad name',
        callbacks: {
          x: { combine: { kind: 'sometimes' } as any, onError: propagate() },
          y: { combine: runAll(), onError: ignoreAndLog(), timeout: -1 },
        },
        paired: [['x', 'z']],
      }),
    );
    expect(err.code).to.equal(ErrorCode.CATEGORY_INVALID);
    expect(err.message).to.contain('name must be');
    expect(err.message).to.contain('callbacks.x.combine');
    expect(err.message).to.contain('callbacks.y.timeout');
    expect(err.message).to.contain('paired: "z"');
  });

  it('a registry refuses two categories with one name', () => {
    const err = throws(() => setup({ categories: [audit, audit] }));
    expect(err.code).to.equal(ErrorCode.CATEGORY_INVALID);
    expect(err.message).to.contain('"audit" is defined twice');
  });
});
