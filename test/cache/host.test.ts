/** Caches through a real host: decorators, ModuleApi registration and invalidation, inspect. */
import { expect } from 'chai';
import { Cached, Module } from '../../decorators/index.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { asCached, cachedFunction } from '../../src/cache/index.js';
import { createTestHost } from '../../src/testing/index.js';

@Module({ name: 'directory' })
class Directory {
  lookups = 0;
  readonly byEmail = cachedFunction(async (email: string) => email.split('@')[0], {
    name: 'by_email',
    maxEntries: 50,
  });

  constructor(readonly api: ModuleApi) {
    // As Synapse modules do in __init__, before the host has wired the @Cached members.
    api.registerCachedFunction(this.department);
    api.registerCachedFunction(this.byEmail);
  }

  @Cached({ maxEntries: 100 })
  async department(userId: string): Promise<string> {
    this.lookups++;
    return `dept of ${userId}`;
  }

  async moved(userId: string): Promise<void> {
    await this.api.invalidateCache(this.department, [userId]);
  }
}

describe('caches in a host', () => {
  it('wires @Cached members, registers them by name and invalidates through ModuleApi', async () => {
    const host = await createTestHost({
      modules: [{ module: Directory, config: {} }],
      caches: { global_factor: 2 },
    });
    try {
      const dir = host.module('directory') as Directory;
      expect(await dir.department('@a')).to.equal('dept of @a');
      expect(await dir.department('@a')).to.equal('dept of @a');
      expect(dir.lookups).to.equal(1);
      await dir.moved('@a');
      await dir.department('@a');
      expect(dir.lookups).to.equal(2);
      expect(asCached(dir.department).cacheName).to.equal('directory.department');
      const caches = host.inspect().modules.find((m) => m.name === 'directory')!.caches;
      // In registration order: the factory function in the constructor, then the wired member.
      expect(caches).to.deep.equal([
        { name: 'directory.by_email', maxEntries: 100, tree: false },
        { name: 'directory.department', maxEntries: 200, tree: false },
      ]);
    } finally {
      await host.stop();
    }
  });
});
