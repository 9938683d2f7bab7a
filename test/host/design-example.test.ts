/** The module from DESIGN.md and the README, end to end through a host. */
import { hostCategory } from '../../src/categories/names.js';
import { expect } from 'chai';
import { IsArray, IsString } from 'class-validator';
import { Cached, Callback, Module, WebResource } from '../../decorators/index.js';
import { Codes, ModuleApi, NOT_SPAM } from '../../src/index.js';
import { createTestHost } from '../../src/testing/index.js';

class AntispamConfig {
  @IsArray() @IsString({ each: true }) banned_words: string[] = [];
}

@Module({ name: 'antispam', config: AntispamConfig })
class Antispam {
  lookups = 0;
  constructor(
    readonly api: ModuleApi,
    readonly config: AntispamConfig,
  ) {}

  @Callback('spam_checker', 'check_event_for_spam')
  async checkEvent(event: { content: { body?: string } }) {
    const body = event.content.body ?? '';
    return this.config.banned_words.some((w) => body.includes(w)) ? Codes.FORBIDDEN : NOT_SPAM;
  }

  @WebResource('/_synapse/client/antispam/status', { methods: ['GET'] })
  status(): Response {
    return Response.json({ banned: this.config.banned_words.length });
  }

  @Cached({ maxEntries: 10_000 })
  async departmentOf(userId: string): Promise<string> {
    this.lookups++;
    return `dept-of-${userId}`;
  }
}

describe('the DESIGN.md example module', () => {
  it('decides, serves and caches through the host', async () => {
    const host = await createTestHost({
      modules: [{ module: Antispam, config: { banned_words: ['viagra'] } }],
    });
    const event = (body: string) => ({ content: { body } });
    expect(host.callbacks.has('spam_checker', 'check_event_for_spam')).to.equal(true);
    expect(host.callbacks.has('spam_checker', 'user_may_invite')).to.equal(false);
    // A bare code is normalised to [code, {}], as Synapse's spam-checker wrapper does.
    expect(
      await host.callbacks.run(
        hostCategory('spam_checker'),
        'check_event_for_spam',
        event('buy viagra'),
      ),
    ).to.deep.equal([Codes.FORBIDDEN, {}]);
    expect(
      await host.callbacks.run(
        hostCategory('spam_checker'),
        'check_event_for_spam',
        event('hello'),
      ),
    ).to.equal(NOT_SPAM);

    const res = await host.fetch(new Request('http://x/_synapse/client/antispam/status'));
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ banned: 1 });
    const wrongMethod = await host.fetch(
      new Request('http://x/_synapse/client/antispam/status', { method: 'POST' }),
    );
    expect(wrongMethod.status).to.equal(405);
    expect(wrongMethod.headers.get('allow')).to.contain('GET');

    const mod = host.module(Antispam);
    expect(await mod.departmentOf('@a:x')).to.equal('dept-of-@a:x');
    expect(await mod.departmentOf('@a:x')).to.equal('dept-of-@a:x');
    expect(mod.lookups).to.equal(1);
    await mod.api.invalidateCache(mod.departmentOf, ['@a:x']);
    await mod.departmentOf('@a:x');
    expect(mod.lookups).to.equal(2);

    const d = host.inspect().modules[0]!;
    expect(d.callbacks).to.deep.equal([{ category: 'spam_checker', name: 'check_event_for_spam' }]);
    expect(d.caches.map((c) => c.name)).to.deep.equal(['antispam.departmentOf']);
    await host.stop();
  });
});
