/**
 * Validation and wiring cost proportional to the work: counted, not timed.
 */
import { expect } from 'chai';
import { IsInt, IsString, Min, getMetadataStorage } from 'class-validator';
import { Module } from '../../decorators/index.js';
import { validateModuleConfig } from '../../src/config/module-config.js';
import type { ModuleEntry } from '../../src/config/types.js';
import { CallbackRegistry } from '../../src/callbacks/registry.js';
import { synapseCategories } from '../../src/categories/synapse/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';

const entry = (config: unknown): ModuleEntry =>
  ({ index: 0, module: 'x', config }) as unknown as ModuleEntry;

/** Many unrelated config classes in class-validator's global store. */
function manyConfigClasses(count: number): void {
  for (let i = 0; i < count; i++) {
    const cls = class {
      value = 'v';
    };
    IsString()(cls.prototype, 'value');
  }
}

describe('config validation looks only at the class’s own rules', function () {
  class BaseConfig {
    @IsInt() @Min(1) retries: number = 1;
  }
  class ChildConfig extends BaseConfig {
    @IsString() name: string = 'x';
  }
  class Unrelated {
    @IsInt() name: number = 1;
  }
  @Module({ name: 'child', config: ChildConfig })
  class ChildModule {}

  it('never scans the whole metadata store, however many classes it holds', async function () {
    manyConfigClasses(500);
    void Unrelated;
    // Warm up (the lazy import patches the lookup on first use).
    await validateModuleConfig(ChildModule, ChildConfig, entry({ name: 'a' }), {});
    const store = (
      getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, unknown> }
    ).validationMetadatas;
    let scans = 0;
    const entries = store.entries.bind(store);
    store.entries = () => {
      scans++;
      return entries();
    };
    try {
      const result = await validateModuleConfig(ChildModule, ChildConfig, entry({ name: 'a' }), {});
      expect(result.problems).to.deep.equal([]);
    } finally {
      delete (store as { entries?: unknown }).entries;
    }
    expect(scans).to.equal(0);
  });

  it('keeps inherited rules and ignores an unrelated class’s rules for the same property', async function () {
    const bad = await validateModuleConfig(
      ChildModule,
      ChildConfig,
      entry({ name: 'a', retries: 0 }),
      {},
    );
    expect(bad.problems.map((p) => p.path)).to.deep.equal(['modules[0].config.retries']);
    const ok = await validateModuleConfig(ChildModule, ChildConfig, entry({ name: 'text' }), {});
    expect(ok.problems).to.deep.equal([]);
  });
});

describe('callback registration appends without copying', function () {
  it('keeps one entries list for a slot across 1,000 registrations', function () {
    const registry = new CallbackRegistry({
      categories: synapseCategories,
      logger: createLogger({ level: 'silent', pretty: false }),
      metrics: createMetricsRegistry(),
    });
    const first = registry.entries('spam_checker', 'check_event_for_spam');
    for (let index = 0; index < 1000; index++) {
      registry.register({ name: `m${index}`, index }, 'spam_checker', {
        check_event_for_spam: async () => 'NOT_SPAM',
      });
    }
    registry.seal();
    const after = registry.entries('spam_checker', 'check_event_for_spam');
    expect(after).to.equal(first);
    expect(after.map((e) => e.module)).to.deep.equal(
      Array.from({ length: 1000 }, (_, i) => `m${i}`),
    );
  });
});
