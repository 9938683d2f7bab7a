/**
 * A cached call is an async call: every failure (a bad key part, a throwing or bad `key` option,
 * a synchronous throw of the computation) must arrive as a rejected promise, never as a
 * synchronous throw that skips the caller's `.catch`. invalidate/prefill are synchronous APIs
 * and throw, naming the cache and the index of the bad key part.
 */
import { expect } from 'chai';
import { Cached } from '../../decorators/index.js';
import { asCached, cachedFunction } from '../../src/cache/index.js';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { FakeBus, makeRegistry } from './helpers.js';

class Keys {
  calls = 0;

  @Cached()
  async one(a: unknown): Promise<string> {
    this.calls++;
    return `one ${String(a)}`;
  }

  @Cached()
  async two(a: unknown, b: unknown): Promise<string> {
    this.calls++;
    return `two ${String(a)} ${String(b)}`;
  }

  @Cached()
  async three(a: unknown, b: unknown, c: unknown): Promise<string> {
    this.calls++;
    return `three ${String(a)} ${String(b)} ${String(c)}`;
  }

  @Cached({ tree: true })
  async treeThree(a: unknown, b: unknown, c: unknown): Promise<string> {
    this.calls++;
    return `tree ${String(a)} ${String(b)} ${String(c)}`;
  }

  @Cached()
  async four(a: unknown, b: unknown, c: unknown, d: unknown): Promise<string> {
    this.calls++;
    return `four ${String(a)} ${String(b)} ${String(c)} ${String(d)}`;
  }

  @Cached({ key: (user: { id: unknown }) => [user.id] })
  async byId(user: { id: unknown }): Promise<string> {
    this.calls++;
    return `user ${String(user.id)}`;
  }

  @Cached({
    key: () => {
      throw new Error('key function failed');
    },
  })
  async keyThrows(_a: string): Promise<string> {
    this.calls++;
    return 'never';
  }

  @Cached({ key: (a: string) => a as unknown as unknown[] })
  async keyNotArray(_a: string): Promise<string> {
    this.calls++;
    return 'never';
  }

  @Cached({ key: (n: number) => (n === 1 ? [n] : [n, n]) })
  async keyLengthVaries(n: number): Promise<string> {
    this.calls++;
    return `n ${n}`;
  }
}

/** Throws synchronously at every depth the cached function has a separate path for. */
class SyncThrows {
  @Cached()
  zero(): Promise<string> {
    throw new Error('sync zero');
  }
  @Cached()
  one(_a: string): Promise<string> {
    throw new Error('sync one');
  }
  @Cached()
  two(_a: string, _b: string): Promise<string> {
    throw new Error('sync two');
  }
  @Cached()
  three(_a: string, _b: string, _c: string): Promise<string> {
    throw new Error('sync three');
  }
  @Cached()
  four(_a: string, _b: string, _c: string, _d: string): Promise<string> {
    throw new Error('sync four');
  }
  @Cached({ key: (a: string) => [a] })
  keyed(_a: string): Promise<string> {
    throw new Error('sync keyed');
  }
}

/**
 * Calls `call` and returns what its promise rejected with. Fails the test when the call throws
 * synchronously (its `.catch` would never run) or resolves.
 */
function rejectionOf(call: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = call();
  }, 'the cached call threw synchronously instead of rejecting').not.to.throw();
  expect(promise).to.be.instanceOf(Promise);
  return promise!.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

function expectKeyInvalid(error: unknown, message: RegExp): void {
  expect(error).to.be.instanceOf(ModhostError);
  expect((error as ModhostError).code).to.equal('MODHOST_CACHE_KEY_INVALID');
  expect((error as Error).message).to.match(message);
}

describe('cache: failures of a cached call are rejections', () => {
  for (const bus of ['connected', 'disconnected (bypass)'] as const) {
    describe(`bus ${bus}`, () => {
      function setup() {
        const t = makeRegistry({
          bus: new FakeBus(bus === 'connected' ? 'connected' : 'disconnected'),
        });
        return t.wire(new Keys(), 'mod');
      }

      it('an object argument rejects (caught by .catch) at every key depth, naming the argument', async () => {
        const m = setup();
        const bad = { a: 1 };
        const cases: Array<[string, () => Promise<unknown>, number]> = [
          ['one', () => m.one(bad), 0],
          ['two', () => m.two('x', bad), 1],
          ['three', () => m.three('x', 'y', bad), 2],
          ['treeThree', () => m.treeThree(bad, 'y', 'z'), 0],
          ['four', () => m.four('w', 'x', 'y', bad), 3],
        ];
        for (const [member, call, index] of cases) {
          const error = await rejectionOf(call);
          expectKeyInvalid(
            error,
            new RegExp(
              `^cache mod\\.${member}: key part ${index} \\(the argument at index ${index} of the call\\) is an object;.*Pass a \`key\` option`,
            ),
          );
        }
        // The reviewed case: `.catch` sees the error.
        let caught: unknown;
        await m.one(bad).catch((error: unknown) => {
          caught = error;
        });
        expectKeyInvalid(caught, /^cache mod\.one: key part 0/);
        expect(m.calls).to.equal(0);
      });

      it('a key option that throws, returns a non-array or a bad part rejects', async () => {
        const m = setup();
        const thrown = await rejectionOf(() => m.keyThrows('a'));
        expect((thrown as Error).message).to.equal('key function failed');
        expectKeyInvalid(
          await rejectionOf(() => m.keyNotArray('a')),
          /^cache mod\.keyNotArray: the `key` option must return an array of key parts, got a string/,
        );
        expectKeyInvalid(
          await rejectionOf(() => m.byId({ id: { nested: true } })),
          /^cache mod\.byId: the `key` option returned an object as key part 0 \(index 0 of its result\).*key: \(user\) => \[user\.id\]/,
        );
        expect(await m.keyLengthVaries(1)).to.equal('n 1');
        expectKeyInvalid(
          await rejectionOf(() => m.keyLengthVaries(2)),
          /^cache mod\.keyLengthVaries: the `key` option returned 2 key parts, but earlier calls returned 1/,
        );
        expect(m.calls).to.equal(1);
      });

      it('withOnInvalidate with a bad key rejects', async () => {
        const m = setup();
        const error = await rejectionOf(() =>
          asCached(m.two).withOnInvalidate(() => {}, 'x', Symbol('s') as unknown as string),
        );
        expectKeyInvalid(error, /^cache mod\.two: key part 1 .* is a symbol/);
        expect(m.calls).to.equal(0);
      });

      it('a computation that throws synchronously rejects at every key depth', async () => {
        const t = makeRegistry({
          bus: new FakeBus(bus === 'connected' ? 'connected' : 'disconnected'),
        });
        const s = t.wire(new SyncThrows(), 'sync');
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['zero', () => s.zero()],
          ['one', () => s.one('a')],
          ['two', () => s.two('a', 'b')],
          ['three', () => s.three('a', 'b', 'c')],
          ['four', () => s.four('a', 'b', 'c', 'd')],
          ['keyed', () => s.keyed('a')],
        ];
        for (const [name, call] of calls) {
          expect(((await rejectionOf(call)) as Error).message).to.equal(`sync ${name}`);
          // Not cached: the next call computes (and fails) again, still as a rejection.
          expect(((await rejectionOf(call)) as Error).message).to.equal(`sync ${name}`);
        }
      });
    });
  }

  it('a returned promise whose own `then` throws rejects instead of throwing', async () => {
    class Hostile<T> extends Promise<T> {
      override then(): never {
        throw new Error('hostile then');
      }
    }
    const fn = cachedFunction((_k: string) => new Hostile<string>((resolve) => resolve('v')), {
      name: 'hostile',
    });
    expect(((await rejectionOf(() => fn('k'))) as Error).message).to.equal('hostile then');
    expect(fn.stats).to.include({ entries: 0, pending: 0 });
  });

  it('a TTL cache whose clock throws on a hit rejects instead of throwing', async () => {
    class FailingClock extends FakeClock {
      broken = false;
      override now(): number {
        if (this.broken) throw new Error('clock failed');
        return super.now();
      }
    }
    const clock = new FailingClock();
    const fn = cachedFunction(async (k: string) => `v ${k}`, { name: 'ttl', ttl: 1000, clock });
    expect(await fn('k')).to.equal('v k');
    clock.broken = true;
    expect(((await rejectionOf(() => fn('k'))) as Error).message).to.equal('clock failed');
    fn.invalidateAll();
  });

  it('cachedFunction keeps the same contract for its own calls', async () => {
    const fn = cachedFunction(async (a: unknown, b: unknown) => `${String(a)}${String(b)}`, {
      name: 'plain',
    });
    expectKeyInvalid(
      await rejectionOf(() => fn('a', () => 1)),
      /^cache plain: key part 1 \(the argument at index 1 of the call\) is a function/,
    );
    expect(await fn('a', 'b')).to.equal('ab');
  });
});

describe('cache: invalidate and prefill with a bad key throw, naming the cache and the part', () => {
  function setup() {
    return makeRegistry().wire(new Keys(), 'mod');
  }

  it('invalidate names the cache, the call and the index of the bad part', () => {
    const m = setup();
    expect(() => asCached(m.three).invalidate(['x', { a: 1 }, 'z']))
      .to.throw(
        ModhostError,
        /^cache mod\.three: invalidate\(key\): key part 1 \(index 1 of the key\) is an object;.*e\.g\. \[userId\]/,
      )
      .with.property('code', 'MODHOST_CACHE_KEY_INVALID');
    expect(() => asCached(m.one).invalidate({ a: 1 })).to.throw(
      ModhostError,
      /^cache mod\.one: invalidate\(key\): key part 0 \(index 0 of the key\) is an object/,
    );
    expect(() => asCached(m.treeThree).invalidate(['x', () => 1])).to.throw(
      ModhostError,
      /^cache mod\.treeThree: invalidate\(key\): key part 1 .* is a function/,
    );
    // A key-option cache that never computed still refuses a bad key.
    expect(() => asCached(m.byId).invalidate([{ id: 1 }])).to.throw(
      ModhostError,
      /^cache mod\.byId: invalidate\(key\): key part 0 .* is an object.*what its `key` option returns/,
    );
  });

  it('prefill names the cache, the call and the index of the bad part, and stores nothing', async () => {
    const m = setup();
    expect(() => asCached(m.two).prefill(['x', Symbol('s')], 'v'))
      .to.throw(
        ModhostError,
        /^cache mod\.two: prefill\(key\): key part 1 \(index 1 of the key\) is a symbol/,
      )
      .with.property('code', 'MODHOST_CACHE_KEY_INVALID');
    expect(() => asCached(m.byId).prefill([{ id: 1 }], 'v')).to.throw(
      ModhostError,
      /^cache mod\.byId: prefill\(key\): key part 0 .* is an object/,
    );
    expect(asCached(m.two).stats.entries).to.equal(0);
    // The cache still works after refusing.
    expect(await m.two('x', 'y')).to.equal('two x y');
  });

  it('api.invalidateCache rejects a bad key naming the cache and the part', async () => {
    const t = makeRegistry();
    const m = t.wire(new Keys(), 'mod');
    const error = await t.registry.invalidate(m.two, ['x', { a: 1 }]).catch((e: unknown) => e);
    expectKeyInvalid(
      error,
      /^cache mod\.two: api\.invalidateCache\(fn, key\): key part 1 \(index 1 of the key\) is an object/,
    );
    expect(t.bus.published).to.deep.equal([]);
  });
});
