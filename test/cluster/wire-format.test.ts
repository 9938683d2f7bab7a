/** The Redis bus's wire format on its own (runs without Redis). */
import { expect } from 'chai';
import { decodeBatch, InvalidationBatch } from '../../src/cluster/invalidation-batch.js';
import { decodePart, encodePart, UNSENDABLE } from '../../src/cluster/key-codec.js';
import { ModhostError } from '../../src/errors/modhost-error.js';

function roundTrip(part: unknown): unknown {
  const encoded = encodePart(part);
  if (encoded === UNSENDABLE) throw new Error('unsendable');
  return decodePart(JSON.parse(JSON.stringify(encoded)));
}

describe('invalidation wire format', () => {
  describe('key parts', () => {
    const parts: [string, unknown][] = [
      ['a string', 'abc'],
      ['a string of digits', '1'],
      ['an integer', 1],
      ['a float', -2.5],
      ['zero', 0],
      ['negative zero', -0],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
      ['true', true],
      ['false', false],
      ['null', null],
      ['undefined', undefined],
      ['a bigint', 2n ** 70n],
      ['a negative bigint', -5n],
      ['a string that looks like a tag', '{"$":"bigint","v":"1"}'],
    ];
    for (const [what, part] of parts) {
      it(`keeps ${what} as it was`, () => {
        expect(Object.is(roundTrip(part), part)).to.equal(true);
      });
    }

    it('keeps nested arrays with their types', () => {
      expect(roundTrip([1, '1', [null, 3n]])).to.deep.equal([1, '1', [null, 3n]]);
    });

    it('refuses objects, functions and symbols', () => {
      for (const part of [{}, new Date(0), () => 1, Symbol('s'), [1, {}]]) {
        expect(encodePart(part)).to.equal(UNSENDABLE);
      }
    });

    it('rejects an unknown encoding', () => {
      expect(() => decodePart({ $: 'date', v: 0 })).to.throw(/unknown key part encoding/);
      expect(() => decodePart({ $: 'bigint', v: '12x' })).to.throw(/unknown key part encoding/);
      expect(() => decodePart({ $: 'number', v: 'Infinityy' })).to.throw();
    });
  });

  describe('batches', () => {
    it('merges per cache, drops duplicates, and lets "all" win', () => {
      const batch = new InvalidationBatch();
      batch.add({ cache: 'm.f', keys: [[1], ['1']] });
      batch.add({ cache: 'm.f', keys: [[1], [1, 'x']] });
      batch.add({ cache: 'm.g', keys: [['a']] });
      batch.add({ cache: 'm.g', all: true });
      batch.add({ cache: 'm.g', keys: [['b']] });
      batch.add({ cache: 'm.h', keys: [] }); // nothing to do
      expect(batch.caches()).to.deep.equal(['m.f', 'm.g']);
      const decoded = decodeBatch(batch.drain('me:1'));
      expect(decoded.from).to.equal('me:1');
      expect(decoded.messages).to.deep.equal([
        { cache: 'm.f', keys: [[1], ['1'], [1, 'x']] },
        { cache: 'm.g', all: true },
      ]);
      expect(batch.size).to.equal(0);
    });

    it('refuses a bad message before adding any of it', () => {
      const batch = new InvalidationBatch();
      expect(() => batch.add({ cache: 'm.f', keys: [['ok'], [{}]] }))
        .to.throw(ModhostError, /cache m\.f: key 1 part 0 is an object/)
        .with.property('code', 'MODHOST_CACHE_KEY_INVALID');
      expect(batch.size).to.equal(0);
    });

    it('rejects malformed wire messages with the reason', () => {
      const cases: [string, RegExp][] = [
        ['nope', /JSON/],
        ['null', /not a JSON object/],
        ['{"v":2,"from":"x","inv":[]}', /wire version 2/],
        ['{"v":1,"inv":[]}', /no sender id/],
        ['{"v":1,"from":"x"}', /no list of invalidations/],
        ['{"v":1,"from":"x","inv":[{"k":[]}]}', /without a cache/],
        ['{"v":1,"from":"x","inv":[{"c":"m"}]}', /m without keys/],
        ['{"v":1,"from":"x","inv":[{"c":"m","k":[1]}]}', /a key of m is not an array/],
      ];
      for (const [raw, reason] of cases) expect(() => decodeBatch(raw), raw).to.throw(reason);
    });
  });
});
