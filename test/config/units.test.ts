import { expect } from 'chai';
import {
  parseDuration,
  parseSize,
  tryParseDuration,
  tryParseSize,
} from '../../src/config/units.js';

describe('units', () => {
  describe('durations', () => {
    const good: [unknown, number][] = [
      [0, 0],
      [250, 250],
      ['500ms', 500],
      ['5s', 5000],
      ['1.5s', 1500],
      ['10m', 600_000],
      ['2h', 7_200_000],
      ['5d', 432_000_000],
      ['1w', 604_800_000],
      ['1y', 31_536_000_000],
      [' 5s ', 5000],
    ];
    for (const [input, ms] of good) {
      it(`${JSON.stringify(input)} is ${ms} ms`, () =>
        expect(tryParseDuration(input)).to.equal(ms));
    }
    for (const bad of [
      '-5s',
      '5 minutes',
      '5S',
      's',
      '',
      '5',
      -1,
      NaN,
      Infinity,
      null,
      true,
      [5],
    ]) {
      it(`${String(JSON.stringify(bad))} is not a duration`, () =>
        expect(tryParseDuration(bad)).to.equal(undefined));
    }
    it('parseDuration throws a message naming the setting', () => {
      expect(() => parseDuration('soon', 'ttl')).to.throw(TypeError, /ttl must be a duration/);
    });
  });

  describe('sizes', () => {
    const good: [unknown, number][] = [
      [0, 0],
      [512, 512],
      ['512', 512],
      ['10K', 10 * 1024],
      ['5M', 5 * 1024 ** 2],
      ['1G', 1024 ** 3],
      ['1.5K', 1536],
      ['10kb', 10 * 1024],
    ];
    for (const [input, bytes] of good) {
      it(`${JSON.stringify(input)} is ${bytes} bytes`, () =>
        expect(tryParseSize(input)).to.equal(bytes));
    }
    for (const bad of ['10X', '1T', '-1K', 'M', 1.5, -1, null, {}]) {
      it(`${JSON.stringify(bad)} is not a size`, () =>
        expect(tryParseSize(bad)).to.equal(undefined));
    }
    it('parseSize throws a message naming the setting', () => {
      expect(() => parseSize('big', 'max_request_size')).to.throw(
        TypeError,
        /max_request_size must be a size/,
      );
    });
  });
});
