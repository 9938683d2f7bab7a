/** The Host check's answers do not depend on which Host was judged before (its one-entry cache). */
import { expect } from 'chai';
import { isValidHost } from '../../src/web/request-target.js';

describe('web/request-target: isValidHost', () => {
  it('gives each Host the same answer whatever was judged before it', () => {
    const hosts = ['example.org', '', '999.1.1.1', 'example.org:8448', '', 'a b', '[::1]:80', ''];
    const fresh = hosts.map((h) => isValidHost(h));
    expect(fresh).to.deep.equal([true, true, false, true, true, false, true, true]);
    for (const h of [...hosts].reverse())
      expect(isValidHost(h), JSON.stringify(h)).to.equal(fresh[hosts.indexOf(h)]);
    expect(isValidHost('999.1.1.1')).to.equal(false);
    expect(isValidHost('999.1.1.1')).to.equal(false); // repeated: answered from the cache
  });
});
