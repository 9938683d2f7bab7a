/** Python's truthiness as the Synapse categories use it. */
import { expect } from 'chai';
import { isPythonFalsy } from '../../src/categories/synapse/python-truthiness.js';

describe('isPythonFalsy', () => {
  it('treats None, False, 0, empty strings and empty containers as false', () => {
    for (const value of [
      null,
      undefined,
      false,
      0,
      -0,
      0n,
      '',
      [],
      {},
      Object.create(null),
      new Map(),
      new Set(),
    ])
      expect(isPythonFalsy(value), typeof value).to.equal(true);
  });

  it('treats everything else as true (NaN and objects are truthy in Python too)', () => {
    class Config {}
    for (const value of [
      true,
      1,
      -1,
      NaN,
      1n,
      ' ',
      [0],
      { a: null },
      new Map([[1, 1]]),
      new Set([0]),
      new Config(),
      new Date(0),
      () => 0,
    ])
      expect(isPythonFalsy(value), typeof value).to.equal(false);
  });
});
