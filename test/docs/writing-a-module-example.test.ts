/** The parseConfig example of docs/writing-a-module.md, run. */
import { expect } from 'chai';
import { Inject, Module } from 'modhost/decorators';
import { ConfigError, MODULE_CONFIG, parseDuration } from 'modhost';
import { createTestHost } from 'modhost/testing';

@Module()
class Legacy {
  static parseConfig(raw: Record<string, unknown>) {
    if (typeof raw.period !== 'string') throw new ConfigError('period is required', ['period']);
    return { periodMs: parseDuration(raw.period) };
  }
  constructor(@Inject(MODULE_CONFIG) readonly config: { periodMs: number }) {}
}

describe('docs/writing-a-module.md parseConfig example', () => {
  it('gives the constructor what parseConfig returned', async () => {
    const host = await createTestHost({ modules: [{ module: Legacy, config: { period: '5d' } }] });
    try {
      expect(host.module(Legacy).config).to.deep.equal({ periodMs: 5 * 86_400_000 });
    } finally {
      await host.stop();
    }
  });

  it("reports parseConfig's ConfigError at the module's config path", async () => {
    const err = await createTestHost({ modules: [{ module: Legacy, config: {} }] }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.include('modules[0].config.period');
    expect(err?.message).to.include(
      "Failed to parse config for module 'Legacy': period is required",
    );
  });
});
