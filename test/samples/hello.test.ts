import { expect } from 'chai';
import { createTestHost } from 'modhost/testing';
import { Hello } from '../../samples/modules/hello.js';

describe('sample hello (say_hello)', () => {
  it('answers JSON with the configured greeting and the instance name', async () => {
    const host = await createTestHost({ modules: [{ module: Hello, config: { greeting: 'Hi' } }] });
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
