/** `host.inspect()` / `modhost check` list a module's own providers and which it exports. */
import { expect } from 'chai';
import { Lifecycle } from 'tsyringe';
import { Injectable, Module } from '../../decorators/index.js';
import { renderDescription } from '../../src/host/inspect.js';
import { createTestHost } from '../../src/testing/index.js';

const URL_TOKEN = Symbol('url');

@Injectable()
class Store {}
@Injectable()
class Scratch {}

@Module({
  name: 'shop',
  providers: [
    Store,
    { provide: Scratch, useClass: Scratch, lifecycle: Lifecycle.Transient },
    { provide: URL_TOKEN, useValue: 'http://example.invalid' },
    { provide: 'clock-source', useFactory: () => ({ now: () => 0 }) },
  ],
  exports: [Store, URL_TOKEN],
})
class Shop {}

describe('inspect: module providers', () => {
  it('names each provider, how it is made, its lifetime and whether it is exported', async () => {
    const host = await createTestHost({ modules: [{ module: Shop }] });
    try {
      const [shop] = host.inspect().modules;
      expect(shop!.providers).to.deep.equal([
        { token: 'Store', kind: 'class', lifecycle: 'module', exported: true },
        { token: 'Scratch', kind: 'class', lifecycle: 'transient', exported: false },
        { token: 'Symbol(url)', kind: 'value', exported: true },
        { token: '"clock-source"', kind: 'factory', exported: false },
      ]);
      // JSON (inspect --json) keeps every field.
      expect(JSON.parse(JSON.stringify(shop!.providers))).to.deep.equal(shop!.providers);
      const text = renderDescription(host.inspect());
      expect(text)
        .to.contain('provider  Store (class, module) exported')
        .and.contain('provider  Scratch (class, transient)\n')
        .and.contain('provider  Symbol(url) (value) exported')
        .and.contain('provider  "clock-source" (factory)')
        .and.not.contain('(registers nothing)');
    } finally {
      await host.stop();
    }
  });

  it('gives an empty list for a module without providers', async () => {
    @Module({ name: 'plain' })
    class Plain {}
    const host = await createTestHost({ modules: [{ module: Plain }] });
    try {
      expect(host.inspect().modules[0]!.providers).to.deep.equal([]);
      expect(renderDescription(host.inspect())).to.contain('(registers nothing)');
    } finally {
      await host.stop();
    }
  });
});
