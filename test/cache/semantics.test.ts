/** Synapse's @cached semantics (reference §5), with promise order driven by deferreds. */
import { expect } from 'chai';
import { rejectionOf as rejection } from '../helpers/rejection.js';
import { Cached } from '../../decorators/index.js';
import { asCached } from '../../src/cache/index.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { type Deferred, deferred, flush, makeRegistry } from './helpers.js';

/** Each call records its arguments and waits for the test to settle its deferred. */
class Controlled {
  calls: unknown[][] = [];
  waiting: Deferred<string>[] = [];
  protected record(args: unknown[]): Promise<string> {
    this.calls.push(args);
    const d = deferred<string>();
    this.waiting.push(d);
    return d.promise;
  }
}

class Users extends Controlled {
  @Cached()
  displayName(userId: string): Promise<string> {
    return this.record([userId]);
  }

  @Cached({ numArgs: 1 })
  withExtra(userId: string, _ignored: number): Promise<string> {
    return this.record([userId, _ignored]);
  }

  @Cached({ maxEntries: 2 })
  small(key: unknown): Promise<string> {
    return this.record([key]);
  }

  @Cached({ numArgs: 2, tree: true })
  membership(roomId: string, userId: string): Promise<string> {
    return this.record([roomId, userId]);
  }

  @Cached()
  pair(a: unknown, b: unknown): Promise<string> {
    return this.record([a, b]);
  }

  @Cached({ key: (user: { id: string }) => [user.id] })
  profile(user: { id: string; seen: number }): Promise<string> {
    return this.record([user.id, user.seen]);
  }

  @Cached({ ttl: '5s' })
  fresh(key: string): Promise<string> {
    return this.record([key]);
  }

  @Cached({ maxEntries: 5, iterable: true })
  async members(roomId: string): Promise<string[]> {
    this.calls.push([roomId]);
    return roomId.split('');
  }

  @Cached()
  broken(key: string): Promise<string> {
    this.calls.push([key]);
    throw new Error(`sync failure for ${key}`);
  }

  @Cached()
  constant(): Promise<string> {
    return this.record([]);
  }
}

function setup() {
  const t = makeRegistry();
  const users = t.wire(new Users());
  return { ...t, users };
}

describe('cache semantics', () => {
  it('caches per instance', async () => {
    const t = makeRegistry();
    const a = t.wire(new Users(), 'a');
    const b = t.wire(new Users(), 'b');
    const pa = a.displayName('@u:x');
    const pb = b.displayName('@u:x');
    a.waiting[0]!.resolve('A');
    b.waiting[0]!.resolve('B');
    expect([await pa, await pb]).to.deep.equal(['A', 'B']);
    expect(await a.displayName('@u:x')).to.equal('A');
    expect(a.calls).to.have.length(1);
    expect(b.calls).to.have.length(1);
  });

  it('keys on the first numArgs arguments only', async () => {
    const { users } = setup();
    const first = users.withExtra('@u:x', 1);
    users.waiting[0]!.resolve('v');
    expect(await first).to.equal('v');
    expect(await users.withExtra('@u:x', 2)).to.equal('v');
    expect(users.calls).to.deep.equal([['@u:x', 1]]);
  });

  it('counts parameters with default values as key parts (as Synapse counts named ones)', async () => {
    const t = makeRegistry();
    class Defaults {
      calls = 0;
      @Cached()
      async greet(name: string, greeting = 'hello'): Promise<string> {
        this.calls++;
        return `${greeting} ${name}`;
      }
    }
    const d = t.wire(new Defaults());
    expect(await d.greet('ann')).to.equal('hello ann');
    expect(await d.greet('ann', 'hi')).to.equal('hi ann');
    expect(d.calls).to.equal(2);
    asCached(d.greet).prefill(['bob', 'hey'], 'hey bob!');
    expect(await d.greet('bob', 'hey')).to.equal('hey bob!');
  });

  it('keys on every declared parameter by default', async () => {
    const { users } = setup();
    const p1 = users.pair('a', 'b');
    const p2 = users.pair('a', 'c');
    expect(users.calls).to.have.length(2);
    users.waiting[0]!.resolve('ab');
    users.waiting[1]!.resolve('ac');
    expect([await p1, await p2]).to.deep.equal(['ab', 'ac']);
  });

  it('shares one computation between concurrent calls with one key', async () => {
    const { users } = setup();
    const p1 = users.displayName('@u:x');
    const p2 = users.displayName('@u:x');
    expect(users.calls).to.have.length(1);
    expect(asCached(users.displayName).stats.pending).to.equal(1);
    users.waiting[0]!.resolve('Alice');
    expect([await p1, await p2]).to.deep.equal(['Alice', 'Alice']);
    expect(await users.displayName('@u:x')).to.equal('Alice');
    expect(users.calls).to.have.length(1);
    const stats = asCached(users.displayName).stats;
    expect(stats).to.include({ hits: 2, misses: 1, pending: 0, entries: 1 });
  });

  it('never caches a failure and delivers it to every waiter', async () => {
    const { users } = setup();
    const p1 = users.displayName('@u:x');
    const p2 = users.displayName('@u:x');
    const boom = new Error('remote down');
    users.waiting[0]!.reject(boom);
    expect(await rejection(p1)).to.equal(boom);
    expect(await rejection(p2)).to.equal(boom);
    await flush();
    const p3 = users.displayName('@u:x');
    expect(users.calls).to.have.length(2);
    users.waiting[1]!.resolve('ok');
    expect(await p3).to.equal('ok');
    expect(asCached(users.displayName).stats.entries).to.equal(1);
  });

  it('treats a synchronous throw as a failure (rejected promise, not cached)', async () => {
    const { users } = setup();
    const err = (await rejection(users.broken('k'))) as Error;
    expect(err.message).to.equal('sync failure for k');
    await rejection(users.broken('k'));
    expect(users.calls).to.have.length(2);
  });

  it('a failure does not remove a value stored under the same key by another path', async () => {
    const { users } = setup();
    const pending = users.displayName('@u:x');
    asCached(users.displayName).prefill('@u:x', 'prefilled');
    users.waiting[0]!.reject(new Error('late failure'));
    await rejection(pending);
    await flush();
    expect(await users.displayName('@u:x')).to.equal('prefilled');
    expect(users.calls).to.have.length(1);
  });

  it('invalidate while in flight: waiters get the result, it is not stored, later callers compute', async () => {
    const { users } = setup();
    const before = users.displayName('@u:x');
    asCached(users.displayName).invalidate(['@u:x']);
    const after = users.displayName('@u:x');
    expect(users.calls).to.have.length(2);
    users.waiting[0]!.resolve('old');
    expect(await before).to.equal('old');
    await flush();
    // The first result was not stored: a new caller joins the second computation.
    const joined = users.displayName('@u:x');
    expect(users.calls).to.have.length(2);
    users.waiting[1]!.resolve('new');
    expect([await after, await joined]).to.deep.equal(['new', 'new']);
    expect(await users.displayName('@u:x')).to.equal('new');
    expect(users.calls).to.have.length(2);
  });

  it('invalidateAll drops pending entries the same way', async () => {
    const { users } = setup();
    const a = users.displayName('a');
    const b = users.displayName('b');
    asCached(users.displayName).invalidateAll();
    expect(asCached(users.displayName).stats.pending).to.equal(0);
    users.waiting[0]!.resolve('A');
    users.waiting[1]!.resolve('B');
    expect([await a, await b]).to.deep.equal(['A', 'B']);
    await flush();
    const again = users.displayName('a');
    expect(users.calls).to.have.length(3);
    users.waiting[2]!.resolve('A2');
    expect(await again).to.equal('A2');
  });

  it('prefill: the next call returns the value without computing', async () => {
    const { users } = setup();
    asCached(users.displayName).prefill(['@u:x'], 'Prefilled');
    asCached(users.pair).prefill(['a', 'b'], 'AB');
    expect(await users.displayName('@u:x')).to.equal('Prefilled');
    expect(await users.pair('a', 'b')).to.equal('AB');
    expect(users.calls).to.have.length(0);
  });

  it('prefill while in flight: waiters get the computed value, later callers the prefilled one', async () => {
    const { users } = setup();
    const waiting = users.displayName('k');
    asCached(users.displayName).prefill('k', 'prefilled');
    users.waiting[0]!.resolve('computed');
    expect(await waiting).to.equal('computed');
    await flush();
    expect(await users.displayName('k')).to.equal('prefilled');
  });

  it('invalidating a missing key is a no-op', async () => {
    const { users } = setup();
    asCached(users.displayName).invalidate(['nobody']);
    asCached(users.pair).invalidate(['a', 'b']);
    asCached(users.membership).invalidate(['!room']);
    expect(asCached(users.displayName).stats.invalidations).to.equal(0);
  });

  it('evicts in strict LRU order: a read protects an entry', async () => {
    const { users } = setup();
    asCached(users.small).prefill('a', 'A');
    asCached(users.small).prefill('b', 'B');
    expect(await users.small('a')).to.equal('A'); // a is now the most recent
    asCached(users.small).prefill('c', 'C'); // evicts b
    expect(await users.small('a')).to.equal('A');
    expect(await users.small('c')).to.equal('C');
    expect(users.calls).to.have.length(0);
    const b = users.small('b');
    expect(users.calls).to.deep.equal([['b']]);
    users.waiting[0]!.resolve('B2');
    expect(await b).to.equal('B2');
    await flush();
    expect(asCached(users.small).stats).to.include({ entries: 2, evictions: 2 });
    // a was read before c, so a went when b came back
    expect(await users.small('c')).to.equal('C');
    expect(users.calls).to.have.length(1);
  });

  it('tree: invalidating a shorter key removes every entry under the prefix', async () => {
    const { users } = setup();
    asCached(users.membership).prefill(['!r1', '@a'], 'join');
    asCached(users.membership).prefill(['!r1', '@b'], 'leave');
    asCached(users.membership).prefill(['!r2', '@a'], 'invite');
    asCached(users.membership).invalidate(['!r1']);
    expect(asCached(users.membership).stats).to.include({ entries: 1, invalidations: 2 });
    expect(await users.membership('!r2', '@a')).to.equal('invite');
    users.membership('!r1', '@a');
    expect(users.calls).to.deep.equal([['!r1', '@a']]);
  });

  it('refuses a prefix on a cache without tree, and tree with fewer than 2 key parts', () => {
    const { users } = setup();
    expect(() => asCached(users.pair).invalidate(['a']))
      .to.throw(
        ModhostError,
        /mod\.pair: key has 1 part but must have exactly 2 parts; invalidating by prefix needs the option tree: true/,
      )
      .with.property('code', 'MODHOST_CACHE_KEY_INVALID');
    class BadTree {
      @Cached({ tree: true })
      one(_k: string): Promise<string> {
        return Promise.resolve('x');
      }
    }
    const t = makeRegistry();
    expect(() => t.wire(new BadTree()))
      .to.throw(ModhostError, /mod\.one: option tree needs at least 2 key parts/)
      .with.property('code', 'MODHOST_CACHE_OPTIONS_INVALID');
  });

  it('iterable: an entry weighs the length of its value', async () => {
    const { users } = setup();
    await users.members('abc'); // 3
    await users.members('de'); // 2 → 5
    expect(asCached(users.members).stats).to.include({ size: 5, entries: 2, evictions: 0 });
    await users.members('f'); // 6 > 5 → evicts abc
    expect(asCached(users.members).stats).to.include({ size: 3, entries: 2, evictions: 1 });
    await users.members('de');
    expect(users.calls).to.have.length(3);
  });

  it('compares key parts by type and value', async () => {
    const { users } = setup();
    asCached(users.small).prefill([1], 'number');
    asCached(users.small).prefill(['1'], 'string');
    expect(await users.small(1)).to.equal('number');
    expect(await users.small('1')).to.equal('string');
    asCached(users.small).invalidate([1]);
    expect(await users.small('1')).to.equal('string');
    users.small(1);
    expect(users.calls).to.deep.equal([[1]]);
  });

  it('refuses objects, functions and symbols as key parts with a clear error', async () => {
    const { users } = setup();
    for (const bad of [{ id: 1 }, () => 1, Symbol('s'), [1]]) {
      const err = (await rejection(users.small(bad))) as ModhostError;
      expect(err).to.be.instanceOf(ModhostError);
      expect(err.code).to.equal('MODHOST_CACHE_KEY_INVALID');
      expect(err.message).to.match(
        /^cache mod\.small: key part 0 \(the argument at index 0 of the call\) is .*Pass a `key` option/,
      );
    }
    expect(users.calls).to.have.length(0);
  });

  it('a key function derives the key parts', async () => {
    const { users } = setup();
    const p1 = users.profile({ id: '@u', seen: 1 });
    const p2 = users.profile({ id: '@u', seen: 2 });
    expect(users.calls).to.have.length(1);
    users.waiting[0]!.resolve('profile');
    expect([await p1, await p2]).to.deep.equal(['profile', 'profile']);
    asCached(users.profile).invalidate('@u');
    users.profile({ id: '@u', seen: 3 });
    expect(users.calls).to.have.length(2);
  });

  it('a key function must return key parts, always as many', async () => {
    const t = makeRegistry();
    class Keys {
      @Cached({ key: (x: unknown) => (Array.isArray(x) ? x : (x as never)) })
      async v(_x: unknown): Promise<string> {
        return 'v';
      }
      @Cached({ key: (x: string) => [x], tree: true })
      async shallow(_x: string): Promise<string> {
        return 's';
      }
    }
    const k = t.wire(new Keys());
    expect(await k.v(['a', 1])).to.equal('v');
    const wrongLength = (await rejection(k.v(['a']))) as Error;
    expect(wrongLength.message).to.match(
      /mod\.v: the `key` option returned 1 key parts, but earlier calls returned 2/,
    );
    const notArray = (await rejection(k.v('a'))) as Error;
    expect(notArray.message).to.match(
      /mod\.v: the `key` option must return an array of key parts, got a string/,
    );
    const treeTooShallow = (await rejection(k.shallow('a'))) as Error;
    expect(treeTooShallow.message).to.match(/mod\.shallow: option tree needs at least 2 key parts/);
  });

  it('a computation calling itself with the same key synchronously gets a clear error', async () => {
    const t = makeRegistry();
    class Recursive {
      @Cached()
      fact(n: number): Promise<number> {
        if (n <= 1) return Promise.resolve(1);
        // A bug: the same key again, before this call has returned its promise.
        return this.fact(n).then((x) => x * n);
      }
    }
    const r = t.wire(new Recursive());
    const err = (await rejection(r.fact(3))) as ModhostError;
    expect(err.message).to.match(/mod\.fact: the computation called itself with the same key/);
    expect(await r.fact(1)).to.equal(1);
  });

  it('a zero-argument cache has one entry, invalidated with []', async () => {
    const { users } = setup();
    const p = users.constant();
    users.waiting[0]!.resolve('c');
    expect(await p).to.equal('c');
    expect(await users.constant()).to.equal('c');
    asCached(users.constant).invalidate([]);
    users.constant();
    expect(users.calls).to.have.length(2);
  });

  it('a single-part cache accepts the bare key; a multi-part cache refuses it', () => {
    const { users } = setup();
    asCached(users.displayName).prefill('k', 'v');
    asCached(users.displayName).invalidate('k');
    expect(asCached(users.displayName).stats.invalidations).to.equal(1);
    expect(() => asCached(users.pair).invalidate('a')).to.throw(
      /mod\.pair: the key a string is not an array of key parts/,
    );
  });

  it('ttl: entries expire on the injected clock', async () => {
    const { users, clock } = setup();
    asCached(users.fresh).prefill('k', 'v1');
    await clock.advance(4999);
    expect(await users.fresh('k')).to.equal('v1');
    await clock.advance(1);
    const p = users.fresh('k');
    expect(users.calls).to.have.length(1);
    users.waiting[0]!.resolve('v2');
    expect(await p).to.equal('v2');
    expect(asCached(users.fresh).stats).to.include({ expired: 1, entries: 1 });
    // Unread entries are swept out without a read.
    await clock.advance(10_000);
    expect(asCached(users.fresh).stats).to.include({ expired: 2, entries: 0 });
    expect(asCached(users.fresh).ttl).to.equal(5000);
  });

  it('scales maxEntries by caches.global_factor and per-cache factors', () => {
    const t = makeRegistry({
      caches: { global_factor: 0.5, per_cache_factors: { 'mod.small': 10 } },
    });
    const users = t.wire(new Users());
    expect(asCached(users.displayName).maxEntries).to.equal(500);
    expect(asCached(users.small).maxEntries).to.equal(20);
    const byName = Object.fromEntries(t.registry.registrations('mod').map((r) => [r.name, r]));
    expect(byName['mod.displayName']).to.deep.equal({
      name: 'mod.displayName',
      maxEntries: 500,
      tree: false,
    });
    expect(byName['mod.membership']).to.include({ tree: true, maxEntries: 500 });
    expect(byName['mod.fresh']).to.include({ ttl: 5000 });
  });
});
