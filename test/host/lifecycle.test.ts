import { expect } from 'chai';
import { rejectionOf as rejection } from '../helpers/rejection.js';
import net from 'node:net';
import { ModuleHost } from '../../src/host/module-host.js';
import { ModhostError, ConfigValidationError } from '../../src/errors/modhost-error.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { createTestHost } from '../../src/testing/index.js';
import { Module } from '../../decorators/index.js';
import {
  FailingConstructor,
  FailingStart,
  Greeter,
  journal,
  RawConfigModule,
} from '../fixtures/modules/basic.js';

const quiet = () => createCapturingLogger().logger;

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('host lifecycle', () => {
  beforeEach(() => journal.splice(0));

  it('constructs in config order, starts in order, stops in reverse', async () => {
    const host = await createTestHost({
      modules: [
        { module: Greeter, config: { greeting: 'hi' } },
        { module: RawConfigModule, config: { anything: [1, 2] } },
      ],
    });
    expect(journal).to.deep.equal([
      'construct greeter',
      'construct raw',
      'start greeter',
      'start raw',
    ]);
    expect(host.module(RawConfigModule).config).to.deep.equal({ anything: [1, 2] });
    expect(host.module<Greeter>('greeter').config.greeting).to.equal('hi');
    await host.stop();
    expect(journal.slice(4)).to.deep.equal(['stop raw', 'stop greeter']);
  });

  it('makes start and stop idempotent', async () => {
    const host = await createTestHost({
      modules: [{ module: Greeter, config: { greeting: 'x' } }],
      start: false,
    });
    await Promise.all([host.start(), host.start()]);
    await host.start();
    await Promise.all([host.stop(), host.stop()]);
    await host.stop();
    expect(journal).to.deep.equal(['construct greeter', 'start greeter', 'stop greeter']);
  });

  it('refuses to start again after stop', async () => {
    const host = await createTestHost({ modules: [] });
    await host.stop();
    const err = await rejection(host.start());
    expect((err as ModhostError).code).to.equal('MODHOST_HOST_STATE');
  });

  it('gives the validated config-class instance to the constructor', async () => {
    const host = await createTestHost({
      modules: [{ module: Greeter, config: { greeting: 'hey', times: 2 } }],
    });
    const res = await host.fetch(new Request('http://x/_synapse/client/greeter/hello'));
    expect(await res.json()).to.deep.equal({ text: 'hey hey' });
    await host.stop();
  });

  it('reports invalid module config with its path before constructing anything', async () => {
    const err = await rejection(
      ModuleHost.create({
        modules: [{ module: Greeter, config: { times: 0 } }, { module: RawConfigModule }],
        logger: quiet(),
      }),
    );
    expect(err).to.be.instanceOf(ConfigValidationError);
    const paths = (err as ConfigValidationError).problems.map((p) => p.path);
    expect(paths).to.include('modules[0].config.greeting').and.include('modules[0].config.times');
    expect(journal).to.deep.equal([]);
  });

  it('undoes started modules when a later onStart fails, naming the module', async () => {
    const host = await createTestHost({
      modules: [
        { module: Greeter, config: { greeting: 'x' } },
        { module: FailingStart },
        { module: RawConfigModule },
      ],
      start: false,
    });
    const err = (await rejection(host.start())) as ModhostError;
    expect(err.code).to.equal('MODHOST_MODULE_START_FAILED');
    expect(err.message).to.equal(
      'module "failing-start" failed in onStart(): database unreachable',
    );
    expect(journal).to.deep.equal([
      'construct greeter',
      'construct raw',
      'start greeter',
      'stop greeter',
    ]);
  });

  it('names the module whose constructor throws, and undoes nothing it did not do', async () => {
    const host = await createTestHost({
      modules: [{ module: Greeter, config: { greeting: 'x' } }, { module: FailingConstructor }],
      start: false,
    });
    const err = (await rejection(host.start())) as ModhostError;
    expect(err.code).to.equal('MODHOST_MODULE_CONSTRUCTOR_FAILED');
    expect(err.message).to.contain(
      'module "failing-ctor" (class FailingConstructor) failed in its constructor: bad things',
    );
    expect(journal).to.deep.equal(['construct greeter']);
  });

  it('leaves no port bound and runs onStop when listening fails', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const host = await ModuleHost.create({
        modules: [{ module: Greeter, config: { greeting: 'x' } }],
        server: { port: 0 },
        metrics: { port },
        logger: quiet(),
      });
      const err = (await rejection(host.start())) as ModhostError;
      expect(err.code).to.equal('MODHOST_LISTEN_FAILED');
      expect(err.message).to.contain(`metrics on 127.0.0.1:${port}`);
      expect(journal).to.deep.equal(['construct greeter', 'start greeter', 'stop greeter']);
      // The HTTP listener that had opened before the metrics one failed is closed again.
      expect(host.url).to.equal(undefined);
    } finally {
      blocker.close();
    }
  });

  it('listens on an ephemeral port and closes it on stop', async () => {
    const host = await createTestHost({
      modules: [{ module: Greeter, config: { greeting: 'yo' } }],
      listen: true,
    });
    const url = host.url!;
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/_synapse/client/greeter/hello`);
    expect(await res.json()).to.deep.equal({ text: 'yo' });
    expect((await fetch(`${url}/health`)).status).to.equal(200);
    await host.stop();
    expect(await refused(Number(new URL(url).port))).to.equal(true);
  });

  it('describes modules and registrations', async () => {
    const host = await createTestHost({
      modules: [{ module: Greeter, config: { greeting: 'x' } }],
    });
    const d = host.inspect();
    expect(d.instance).to.deep.equal({ name: 'main', runBackgroundTasks: true });
    expect(d.modules).to.have.length(1);
    expect(d.modules[0]).to.include({
      name: 'greeter',
      className: 'Greeter',
      source: '<class Greeter>',
    });
    expect(d.modules[0]!.webResources).to.deep.equal([
      { path: '/_synapse/client/greeter/hello', methods: ['GET'], prefix: false },
    ]);
    await host.stop();
  });

  it('refuses two modules with one name', async () => {
    const err = await rejection(
      ModuleHost.create({
        modules: [{ module: RawConfigModule }, { module: RawConfigModule }],
        logger: quiet(),
      }),
    );
    expect(err.message).to.contain(
      'modules[1].module: two modules are named "raw" (modules[0] and modules[1])',
    );
  });

  it('does not let a hung onStop hold up the rest of the shutdown', async () => {
    @Module({ name: 'hangs' })
    class Hangs {
      onStop(): Promise<void> {
        return new Promise(() => undefined);
      }
    }
    const host = await createTestHost({
      modules: [{ module: Greeter, config: { greeting: 'x' } }, { module: Hangs }],
      server: { drain_timeout: 50 },
    });
    await host.stop();
    expect(journal).to.deep.equal(['construct greeter', 'start greeter', 'stop greeter']);
    const logged = host.logs.find((r) => r.module === 'hangs' && r.levelName === 'error');
    expect(logged?.msg).to.equal(
      'module "hangs" failed in onStop(): did not finish within 50 ms; shutdown goes on',
    );
  });
});
