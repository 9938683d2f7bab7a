import { expect } from 'chai';
import { createTestHost } from 'modhost/testing';
import { Hello } from '../../samples/modules/hello.js';
import { ISOLATION_MODES, moduleEntry } from '../helpers/isolation.js';

const SOURCE = 'samples/modules/hello.ts';

for (const mode of ISOLATION_MODES)
  describe(`sample hello (say_hello) (${mode})`, () => {
    it('answers JSON with the configured greeting and the instance name', async () => {
      const host = await createTestHost({
        modules: [moduleEntry(mode, Hello, SOURCE, { config: { greeting: 'Hi' } })],
      });
      try {
        const res = await host.fetch(
          new Request('http://x/_synapse/client/my_super_module/say_hello?name=Alice'),
        );
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.match(/application\/json/);
        expect(await res.json()).to.deep.equal({ message: 'Hi, Alice!', instance: 'main' });
        const post = await host.fetch(
          new Request('http://x/_synapse/client/my_super_module/say_hello', { method: 'POST' }),
        );
        expect(post.status).to.equal(405);
      } finally {
        await host.stop();
      }
    });
  });
