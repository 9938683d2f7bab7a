import { expect } from 'chai';
import { normalisePath } from '../../src/web/path.js';

describe('web/normalisePath', () => {
  const cases: Array<[string, string | undefined]> = [
    ['/a/b', '/a/b'],
    ['/a/b/', '/a/b/'],
    ['/', '/'],
    ['/a/./b', '/a/b'],
    ['/a//b', '/a/b'],
    ['//a', '/a'],
    ['/a/../b', '/b'],
    ['/../../etc', '/etc'],
    ['/a/..', '/'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/a/%2e%2e/b', '/b'],
    ['/a/%2E%2E/b', '/b'],
    ['/a/.%2e/b', '/b'],
    ['/a%2fb', '/a/b'],
    ['/a%2F..%2Fb', '/b'],
    ['/a%5c..%5cb', '/b'],
    ['/a\\b', '/a/b'],
    ['/caf%C3%A9', '/café'],
    ['/a%20b', '/a b'],
    ['/%zz', undefined],
    ['/%', undefined],
    ['/a%2', undefined],
    ['/%ff', undefined],
    ['/a%00b', undefined],
    ['/a\u0001', undefined],
    ['relative', undefined],
    ['*', undefined],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () => {
      expect(normalisePath(raw)).to.equal(expected);
    });
  }
});
