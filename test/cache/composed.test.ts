/** Composed caches: an inner entry's invalidation or eviction invalidates the outer entries. */
import { expect } from 'chai';
import { Cached } from '../../decorators/index.js';
import { asCached, cacheContext } from '../../src/cache/index.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { deferred, flush, makeRegistry } from './helpers.js';

class Rooms {
  computed: string[] = [];
  names = new Map<string, string>();

  @Cached({ maxEntries: 2 })
  async roomName(roomId: string): Promise<string> {
    this.computed.push(`name:${roomId}`);
    return this.names.get(roomId) ?? roomId;
  }

  @Cached()
  async title(roomId: string): Promise<string> {
    const ctx = cacheContext();
    this.computed.push(`title:${roomId}`);
    return `# ${await ctx.call(this.roomName, roomId)}`;
  }

  @Cached()
  async banner(roomId: string): Promise<string> {
    const ctx = cacheContext();
    this.computed.push(`banner:${roomId}`);
    return `[${await ctx.call(this.title, roomId)}]`;
  }
}

function setup() {
  const t = makeRegistry();
  const rooms = t.wire(new Rooms());
  return { ...t, rooms };
}

describe('composed caches', () => {
  it('invalidating the inner entry invalidates the outer ones, through any depth', async () => {
    const { rooms } = setup();
    rooms.names.set('!r', 'Lobby');
    expect(await rooms.banner('!r')).to.equal('[# Lobby]');
    expect(await rooms.banner('!r')).to.equal('[# Lobby]');
    expect(rooms.computed).to.deep.equal(['banner:!r', 'title:!r', 'name:!r']);
    rooms.names.set('!r', 'Hall');
    asCached(rooms.roomName).invalidate('!r');
    expect(asCached(rooms.title).stats.entries).to.equal(0);
    expect(asCached(rooms.banner).stats.entries).to.equal(0);
    expect(await rooms.banner('!r')).to.equal('[# Hall]');
    expect(rooms.computed).to.have.length(6);
  });

  it('evicting the inner entry invalidates the outer one', async () => {
    const { rooms } = setup();
    await rooms.title('!a');
    await rooms.roomName('!b');
    await rooms.roomName('!c'); // maxEntries 2: evicts !a's name
    expect(asCached(rooms.roomName).stats.evictions).to.equal(1);
    expect(asCached(rooms.title).stats.entries).to.equal(0);
    await rooms.title('!a');
    expect(rooms.computed.filter((c) => c === 'title:!a')).to.have.length(2);
  });

  it('an inner invalidation while the outer computes keeps the outer result out of the cache', async () => {
    const t = makeRegistry();
    const gate = deferred<void>();
    class Outer {
      runs = 0;
      @Cached()
      async inner(k: string): Promise<string> {
        return `inner ${k}`;
      }
      @Cached()
      async outer(k: string): Promise<string> {
        const ctx = cacheContext();
        this.runs++;
        const v = await ctx.call(this.inner, k);
        await gate.promise;
        return `outer(${v})`;
      }
    }
    const o = t.wire(new Outer());
    const p = o.outer('k');
    await flush();
    asCached(o.inner).invalidate('k');
    gate.resolve();
    expect(await p).to.equal('outer(inner k)');
    await flush();
    await o.outer('k');
    expect(o.runs).to.equal(2);
  });

  it('withOnInvalidate attaches an explicit callback, run once', async () => {
    const { rooms } = setup();
    let fired = 0;
    const cb = () => fired++;
    await asCached(rooms.roomName).withOnInvalidate(cb, '!x');
    await asCached(rooms.roomName).withOnInvalidate(cb, '!x'); // a hit, same callback: deduplicated
    asCached(rooms.roomName).invalidate(['!x']);
    asCached(rooms.roomName).invalidate(['!x']);
    expect(fired).to.equal(1);
  });

  it('a failing inner computation runs its callbacks', async () => {
    const t = makeRegistry();
    const inner = deferred<string>();
    class Failing {
      @Cached()
      load(_k: string): Promise<string> {
        return inner.promise;
      }
    }
    const f = t.wire(new Failing());
    let fired = 0;
    const p = asCached(f.load).withOnInvalidate(() => fired++, 'k');
    inner.reject(new Error('nope'));
    await p.catch(() => undefined);
    await flush();
    expect(fired).to.equal(1);
  });

  it('a stale context does not invalidate a newer entry at the same key', async () => {
    const t = makeRegistry();
    const contexts: Array<() => void> = [];
    class Holder {
      @Cached()
      async value(k: string): Promise<string> {
        contexts.push(cacheContext().invalidate);
        return k;
      }
    }
    const h = t.wire(new Holder());
    await h.value('k');
    contexts[0]!();
    await h.value('k');
    contexts[0]!(); // the first entry is gone; the second must stay
    expect(asCached(h.value).stats.entries).to.equal(1);
    contexts[1]!();
    expect(asCached(h.value).stats.entries).to.equal(0);
  });

  it('a throwing callback is logged and the others still run', async () => {
    const { rooms, logs } = setup();
    let ran = false;
    await asCached(rooms.roomName).withOnInvalidate(() => {
      throw new Error('callback bug');
    }, '!x');
    await asCached(rooms.roomName).withOnInvalidate(() => (ran = true), '!x');
    asCached(rooms.roomName).invalidate('!x');
    expect(ran).to.equal(true);
    const warning = logs.find((r) => r.levelName === 'warn');
    expect(warning?.msg).to.match(/invalidation callback of cache mod\.roomName threw/);
  });

  it('cacheContext() outside a computation is a clear error', () => {
    expect(() => cacheContext())
      .to.throw(
        ModhostError,
        /called outside a cached computation; call it synchronously at the start/,
      )
      .with.property('code', 'MODHOST_CACHE_OPTIONS_INVALID');
  });
});
