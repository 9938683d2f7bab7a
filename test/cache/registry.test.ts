/** CacheRegistry: wiring @Cached members, registration by name, invalidation through the bus. */
import { expect } from 'chai';
import { Cached } from '../../decorators/index.js';
import { readCached } from '../../decorators/metadata.js';
import { asCached, cachedFunction } from '../../src/cache/index.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { makeRegistry, owner } from './helpers.js';

class Directory {
  computed = 0;
  @Cached()
  async department(userId: string): Promise<string> {
    this.computed++;
    return `dept of ${userId}`;
  }
  @Cached({ name: 'room_members', numArgs: 2, tree: true })
  async members(roomId: string, _membership: string): Promise<string[]> {
    return [roomId];
  }
}

describe('CacheRegistry', () => {
  it('replaces each @Cached member with an own cached function named <module>.<name>', async () => {
    const t = makeRegistry();
    const d = t.wire(new Directory(), 'directory');
    expect(Object.prototype.hasOwnProperty.call(d, 'department')).to.equal(true);
    expect(asCached(d.department).cacheName).to.equal('directory.department');
    expect(asCached(d.members).cacheName).to.equal('directory.room_members');
    expect(t.registry.registrations('directory').map((r) => r.name)).to.deep.equal([
      'directory.department',
      'directory.room_members',
    ]);
    expect(t.registry.registrations('other')).to.deep.equal([]);
    expect(await d.department('@a')).to.equal('dept of @a');
    expect(await d.department('@a')).to.equal('dept of @a');
    expect(d.computed).to.equal(1);
  });

  it('register() accepts wired functions, factory functions and (before wiring) the original method', () => {
    const t = makeRegistry();
    const d = new Directory();
    // As a Synapse module does in __init__: register_cached_function(self.method).
    t.registry.register(owner('directory'), d.department);
    t.wire(d, 'directory');
    t.registry.register(owner('directory'), d.department); // the wired one: no-op
    t.registry.register(owner('directory'), Directory.prototype.department); // known original: no-op
    const lookup = cachedFunction(async (id: string) => id.length, {
      name: 'lookup',
      maxEntries: 10,
    });
    t.registry.register(owner('directory'), lookup);
    t.registry.register(owner('directory'), lookup);
    expect(t.registry.registrations('directory').map((r) => r.name)).to.include('directory.lookup');
    expect(lookup.cacheName).to.equal('directory.lookup');
  });

  it('register() refuses anything that is not a cached function', () => {
    const t = makeRegistry();
    for (const bad of [42, 'name', { invalidate() {} }, null]) {
      expect(() => t.registry.register(owner(), bad))
        .to.throw(
          ModhostError,
          /module mod: api\.registerCachedFunction\(fn\): expected a cached function/,
        )
        .with.property('code', 'MODHOST_CACHE_NOT_REGISTERED');
    }
  });

  it('a plain function registered before wiring that is no @Cached member fails at wiring', () => {
    const t = makeRegistry();
    const d = new Directory();
    t.registry.register(owner('directory'), function helper() {});
    expect(() => t.registry.wireInstance(owner('directory'), d, readCached(Directory)))
      .to.throw(
        ModhostError,
        /module directory registered the plain method helper.*not a @Cached method/,
      )
      .with.property('code', 'MODHOST_CACHE_NOT_REGISTERED');
  });

  it('refuses a @Cached member the constructor overwrote with a non-function', () => {
    const t = makeRegistry();
    const d = new Directory();
    Object.defineProperty(d, 'department', { value: 'oops' });
    expect(() => t.wire(d, 'directory'))
      .to.throw(
        ModhostError,
        /cache directory\.department: @Cached member department is not a method.*a string/,
      )
      .with.property('code', 'MODHOST_CACHE_OPTIONS_INVALID');
  });

  it('withOnInvalidate needs a function', async () => {
    const t = makeRegistry();
    const d = t.wire(new Directory(), 'directory');
    const err = await asCached(d.department)
      .withOnInvalidate('no' as never, '@a')
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ModhostError);
    expect((err as Error).message).to.match(
      /directory\.department: withOnInvalidate\(onInvalidate, \.\.\.args\) needs a function/,
    );
  });

  it('refuses a second cache with the same name', () => {
    const t = makeRegistry();
    t.registry.register(
      owner('m'),
      cachedFunction(async () => 1, { name: 'same' }),
    );
    expect(() =>
      t.registry.register(
        owner('m'),
        cachedFunction(async () => 2, { name: 'same' }),
      ),
    )
      .to.throw(ModhostError, /cache name m\.same is already registered by module m/)
      .with.property('code', 'MODHOST_CACHE_NAME_TAKEN');
  });

  it('applies config factors to registered factory functions', () => {
    const t = makeRegistry({ caches: { global_factor: 2, per_cache_factors: {} } });
    const f = cachedFunction(async (k: string) => k, { name: 'f', maxEntries: 10 });
    expect(f.maxEntries).to.equal(10);
    t.registry.register(owner(), f);
    expect(f.maxEntries).to.equal(20);
  });

  it('invalidate(fn, key) invalidates here and publishes the key parts with their types', async () => {
    const t = makeRegistry();
    const d = t.wire(new Directory(), 'directory');
    await d.department('@a');
    await t.registry.invalidate(d.department, ['@a']);
    await t.registry.invalidate(d.department, '@b');
    await t.registry.invalidate(d.members, ['!room']);
    expect(asCached(d.department).stats.invalidations).to.equal(1);
    expect(t.bus.published).to.deep.equal([
      { cache: 'directory.department', keys: [['@a']] },
      { cache: 'directory.department', keys: [['@b']] },
      { cache: 'directory.room_members', keys: [['!room']] },
    ]);
    await t.registry.invalidateAll(d.members);
    expect(t.bus.published.at(-1)).to.deep.equal({ cache: 'directory.room_members', all: true });
  });

  it('invalidate accepts the original method of a wired member', async () => {
    const t = makeRegistry();
    const d = t.wire(new Directory(), 'directory');
    await d.department('@a');
    await t.registry.invalidate(Directory.prototype.department, ['@a']);
    expect(asCached(d.department).stats.entries).to.equal(0);
  });

  it('invalidate rejects unregistered caches and bad keys before doing anything', async () => {
    const t = makeRegistry();
    const local = cachedFunction(async (k: string) => k, { name: 'local' });
    const err = await t.registry.invalidate(local, ['k']).catch((e: unknown) => e);
    expect(err)
      .to.be.instanceOf(ModhostError)
      .with.property('code', 'MODHOST_CACHE_NOT_REGISTERED');
    expect((err as Error).message).to.match(
      /cache local is not registered.*api\.registerCachedFunction/,
    );
    const d = t.wire(new Directory(), 'directory');
    const bad = await t.registry.invalidate(d.department, [{ id: 1 }]).catch((e: unknown) => e);
    expect(bad).to.be.instanceOf(ModhostError).with.property('code', 'MODHOST_CACHE_KEY_INVALID');
    expect(t.bus.published).to.deep.equal([]);
  });

  it('clearAll empties every cache; stop cancels TTL sweeps', async () => {
    const t = makeRegistry();
    class Ttl {
      @Cached({ ttl: 60_000 })
      async v(k: string) {
        return k;
      }
    }
    const x = t.wire(new Ttl(), 'ttl');
    const d = t.wire(new Directory(), 'directory');
    await x.v('a');
    await d.department('a');
    t.registry.clearAll();
    expect(asCached(x.v).stats.entries + asCached(d.department).stats.entries).to.equal(0);
    expect(t.clock.pending).to.equal(1);
    t.registry.stop();
    expect(t.clock.pending).to.equal(0);
  });
});
