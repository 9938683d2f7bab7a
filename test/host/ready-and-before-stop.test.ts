/** onReady (host listening) and beforeStop (before the drain), ordered against other modules. */
import { expect } from 'chai';
import { Module, WebResource } from '../../decorators/index.js';
import { createTestHost } from '../../src/testing/index.js';
import { rejectionOf } from '../helpers/rejection.js';

const journal: string[] = [];

function recorder(name: string) {
  @Module({ name })
  class Recorder {
    onStart() {
      journal.push(`${name}.onStart`);
    }
    onReady() {
      journal.push(`${name}.onReady`);
    }
    beforeStop() {
      journal.push(`${name}.beforeStop`);
    }
    onStop() {
      journal.push(`${name}.onStop`);
    }
  }
  return Recorder;
}

describe('onReady and beforeStop hooks', () => {
  beforeEach(() => {
    journal.length = 0;
  });

  it('run in config order after every onStart, and in reverse before every onStop', async () => {
    const host = await createTestHost({
      modules: [{ module: recorder('a') }, { module: recorder('b') }],
    });
    expect(journal).to.deep.equal(['a.onStart', 'b.onStart', 'a.onReady', 'b.onReady']);
    journal.length = 0;
    await host.stop();
    expect(journal).to.deep.equal(['b.beforeStop', 'a.beforeStop', 'b.onStop', 'a.onStop']);
  });

  it('onReady runs once the host listens; beforeStop while it still serves', async () => {
    let readyStatus = 0;
    let beforeStopStatus = 0;
    @Module({ name: 'web' })
    class Web {
      @WebResource('/_synapse/client/web/ping')
      ping() {
        return new Response('pong');
      }
      async onReady() {
        readyStatus = (await fetch(`${hostUrl()}/_synapse/client/web/ping`)).status;
      }
      async beforeStop() {
        beforeStopStatus = (await fetch(`${hostUrl()}/_synapse/client/web/ping`)).status;
      }
    }
    let hostRef: { url?: string } = {};
    const hostUrl = () => hostRef.url;
    const host = await createTestHost({ modules: [{ module: Web }], listen: true, start: false });
    hostRef = host;
    await host.start();
    expect(readyStatus).to.equal(200);
    await host.stop();
    expect(beforeStopStatus).to.equal(200);
  });

  it('a failing onReady fails start, naming the module, and undoes the start', async () => {
    @Module({ name: 'late' })
    class Late {
      onReady() {
        throw new Error('not ready');
      }
      onStop() {
        journal.push('late.onStop');
      }
    }
    const host = await createTestHost({ modules: [{ module: Late }], start: false });
    const err = await rejectionOf(host.start());
    expect(err.message).to.equal('module "late" failed in onReady(): not ready');
    expect(journal).to.deep.equal(['late.onStop']);
  });

  it('a failing beforeStop is logged and the shutdown goes on', async () => {
    @Module({ name: 'grumpy' })
    class Grumpy {
      beforeStop() {
        throw new Error('no');
      }
      onStop() {
        journal.push('grumpy.onStop');
      }
    }
    const host = await createTestHost({ modules: [{ module: Grumpy }] });
    await host.stop();
    expect(journal).to.deep.equal(['grumpy.onStop']);
    expect(host.logs.some((r) => r.msg === 'module "grumpy" failed in beforeStop(): no')).to.equal(
      true,
    );
  });
});
