/**
 * Synapse's sizing and option rules: an `iterable` entry weighs `len(v) or 1`, so empty values
 * still count against `maxEntries`; keying on more arguments than the method declares is refused
 * when the cache is built (Synapse: "Not enough explicit positional arguments to key off").
 */
import { expect } from 'chai';
import { Cached } from '../../decorators/index.js';
import { asCached } from '../../src/cache/index.js';
import { cachedFunction } from '../../src/cache/cached-function.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { makeRegistry } from './helpers.js';

class Rooms {
  computed = 0;

  @Cached({ maxEntries: 2, iterable: true })
  async members(roomId: string): Promise<string[]> {
    this.computed++;
    return roomId.startsWith('empty') ? [] : [roomId];
  }

  @Cached({ maxEntries: 2, iterable: true })
  async aliases(roomId: string): Promise<Set<string>> {
    return new Set(roomId.startsWith('empty') ? [] : [roomId]);
  }
}

describe('cache sizing and impossible options (as Synapse)', () => {
  it('1,000 empty lists under maxEntries 2 keep at most 2 entries', async () => {
    const rooms = makeRegistry().wire(new Rooms());
    for (let i = 0; i < 1000; i++) await rooms.members(`empty-${i}`);
    const stats = asCached(rooms.members).stats;
    expect(stats.entries).to.be.at.most(2);
    expect(stats.size).to.be.at.most(2);
    expect(stats.evictions).to.equal(998);
  });

  it('an empty Set or string weighs 1 as well; a non-empty value its length', async () => {
    const rooms = makeRegistry().wire(new Rooms());
    for (let i = 0; i < 10; i++) await rooms.aliases(`empty-${i}`);
    expect(asCached(rooms.aliases).stats).to.include({ entries: 2, size: 2 });
    const strings = cachedFunction(async (s: string) => s, { maxEntries: 3, iterable: true });
    for (const s of ['', '', '', '', 'ab']) await strings(s + Math.random());
    expect(strings.stats.size).to.be.at.most(3);
  });

  it('numArgs above the declared parameters is refused when the module is wired', () => {
    class TooMany {
      @Cached({ numArgs: 3 })
      async lookup(id: string, kind: string): Promise<string> {
        return id + kind;
      }
    }
    expect(() => makeRegistry().wire(new TooMany()))
      .to.throw(
        ModhostError,
        /lookup: option numArgs is 3 but the method declares 2 parameters; .*use at most 2 or pass a `key` function/,
      )
      .with.property('code', 'MODHOST_CACHE_OPTIONS_INVALID');
  });

  it('numArgs up to the declared parameters, or with a key function, is fine', async () => {
    class Fine {
      @Cached({ numArgs: 2 })
      async both(a: string, b: string): Promise<string> {
        return a + b;
      }
      @Cached({ numArgs: 1, key: (a: string) => [a] })
      async keyed(a: string): Promise<string> {
        return a;
      }
    }
    const fine = makeRegistry().wire(new Fine());
    expect(await fine.both('a', 'b')).to.equal('ab');
    expect(await fine.keyed('a')).to.equal('a');
  });
});
