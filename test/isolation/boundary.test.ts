/**
 * What crosses into an isolated module and back: streamed bodies both ways, verdicts, the
 * host's clock and timers, host providers; and clear errors for what cannot cross.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModuleHost } from '../../src/host/module-host.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { Codes, NOT_SPAM } from 'modhost';
import { createTestHost, type TestHost } from 'modhost/testing';
import { Steady } from '../fixtures/isolation/faulty.js';
import { waitFor } from '../cluster/wait-for.js';
import { builtFixture } from '../helpers/paths.js';
import { rejectionOf } from '../helpers/rejection.js';

const FILE = builtFixture('isolation/faulty.js');
const url = (path: string) => `http://x/_synapse/client${path}`;

describe('isolation: what crosses the worker boundary', function () {
  this.timeout(60_000);

  describe('one isolated module', () => {
    let host: TestHost;
    before(async () => {
      host = await createTestHost({
        modules: [{ module: `${FILE}#Faulty`, isolation: 'worker' }],
      });
    });
    after(() => host?.stop());

    it('streams a request body in and a response body out', async () => {
      const parts = ['hello ', 'streamed ', 'world'];
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = parts.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      });
      const res = await host.fetch(
        new Request(url('/faulty/echo'), { method: 'POST', body, duplex: 'half' } as RequestInit),
      );
      expect(res.status).to.equal(200);
      expect(res.headers.get('x-module')).to.equal('faulty');
      expect(await res.text()).to.equal('HELLO STREAMED WORLD');
    });

    it("gives the handler the request's context as in process, its url parsed from the request's", async () => {
      const res = await host.fetch(new Request(url('/faulty/context?q=found')));
      expect(await res.json()).to.deep.equal({
        module: 'faulty',
        path: '/_synapse/client/faulty',
        subpath: '/context',
        params: {},
        url: url('/faulty/context?q=found'),
        q: 'found',
      });
    });

    it('returns verdicts and runs looping calls on the host clock', async () => {
      const verdict = (body: string) =>
        host.callbacks.run('spam_checker', 'check_event_for_spam', { content: { body } } as never);
      expect(await verdict('hi')).to.equal(NOT_SPAM);
      expect(await verdict('spam')).to.deep.equal([Codes.FORBIDDEN, {}]);
      const ticks = async () =>
        (await (await host.fetch(new Request(url('/faulty/ticks')))).json()) as {
          ticks: number;
          now: number;
        };
      expect((await ticks()).now).to.equal(host.clock.now());
      // Each run finishes in the worker before the next is scheduled, so advance one period at a time.
      for (let n = 1; n <= 3; n++) {
        await host.clock.advance(1_000);
        await waitFor(`tick ${n} in the worker`, async () => (await ticks()).ticks === n);
      }
      expect((await ticks()).now).to.equal(host.clock.now());
    });

    it('refuses arguments that cannot cross, naming the module, the callback and the place', async () => {
      const call = (event: unknown) =>
        rejectionOf(host.callbacks.run('spam_checker', 'check_event_for_spam', event as never));
      const fn = await call({ content: { body: 'x' }, unsigned: { hook: () => 1 } });
      expect(fn.code).to.equal('MODHOST_VALUE_CANNOT_CROSS');
      expect(fn.message).to.include('module faulty');
      expect(fn.message).to.include('argument 1 of callback spam_checker.check_event_for_spam');
      expect(fn.message).to.include('at .unsigned.hook');
      expect(fn.message).to.include('a function (hook)');
      class Room {}
      const instance = await call({ content: {}, room: new Room() });
      expect(instance.message).to.include('an instance of class Room, which has no codec');
    });

    it("relays the module's log lines (from onStart in the worker) with its name", () => {
      const line = host.logs.find((r) => r.msg === 'faulty started');
      expect(line?.module).to.equal('faulty');
      expect(line?.levelName).to.equal('info');
    });

    it('is described by inspect() with its callbacks, resources and worker-side caches', () => {
      const [faulty] = host.inspect().modules;
      expect(faulty!.isolation).to.equal('worker');
      expect(faulty!.callbacks.map((c) => c.name).sort()).to.deep.equal([
        'check_event_for_spam',
        'user_may_invite',
      ]);
      expect(faulty!.webResources[0]!.path).to.equal('/_synapse/client/faulty');
      expect(faulty!.caches.map((c) => c.name)).to.deep.equal(['faulty.square']);
    });

    it('has no instance reachable from the host', () => {
      expect(() => host.module('faulty')).to.throw(/runs in a worker thread/);
    });
  });

  it('injects host providers that can cross (a class instance as a proxy), and refuses one that cannot at load', async () => {
    const spec = `${FILE}#Configured`;
    class Settings {
      greeting = 'hi';
    }
    // Plain data is copied; a class instance reaches the worker as a proxy (its plain fields
    // copied, its methods calls to the host: test/isolation/providers.test.ts).
    for (const value of [{ greeting: 'hi' }, new Settings()]) {
      const ok = await createTestHost({
        modules: [{ module: spec, isolation: 'worker' }],
        providers: [{ provide: 'settings', useValue: value }],
      });
      try {
        const res = await ok.fetch(new Request(url('/configured')));
        expect(await res.json()).to.deep.equal({ greeting: 'hi' });
      } finally {
        await ok.stop();
      }
    }
    const err = await rejectionOf(
      createTestHost({
        modules: [{ module: spec, isolation: 'worker' }],
        providers: [{ provide: 'settings', useValue: function greet() {} }],
      }),
    );
    expect(err.code).to.equal('MODHOST_VALUE_CANNOT_CROSS');
    expect(err.message).to.include('module configured');
    expect(err.message).to.include('constructor parameter #0 (the host provider settings)');
    expect(err.message).to.include('a function (greet)');
  });

  it('carries functions nested in an imperative registration (auth_checkers)', async () => {
    const host = await createTestHost({
      modules: [{ module: `${FILE}#Authy`, isolation: 'worker' }],
    });
    try {
      const check = (token: string) =>
        host.callbacks.run('password_auth_provider', 'check_auth', 'bob', 'com.example.token', {
          token,
        });
      expect(await check('let-me-in')).to.deep.equal(['@bob:x', null]);
      expect(await check('wrong')).to.equal(null);
    } finally {
      await host.stop();
    }
  });

  it('loads an isolated module from YAML, its spec relative to the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'modhost-isolation-'));
    try {
      const file = path.join(dir, 'modhost.yaml');
      const spec = `./${path.relative(dir, FILE)}#Faulty`;
      writeFileSync(
        file,
        `server: { listen: false }\nmodules:\n  - module: ${spec}\n    isolation: worker\n    resource_limits: { max_heap: 64M }\n`,
      );
      const host = await ModuleHost.fromConfigFile(file, {
        logger: createCapturingLogger().logger,
      });
      try {
        await host.start();
        const res = await host.fetch(new Request(url('/faulty/')));
        expect(await res.json()).to.deep.equal({ ok: true, starts: 1 });
      } finally {
        await host.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks the isolation keys of a module entry', async () => {
    const err = await rejectionOf(
      createTestHost({
        modules: [
          { module: Steady, isolation: 'worker' },
          { module: Steady, resource_limits: { max_heap: '1M' } },
          {
            module: `${FILE}#Faulty`,
            isolation: 'thread' as never,
            supervision: { max_restarts: -1 },
          },
          { module: `${FILE}#Faulty`, isolation: 'worker', call_polling: 5000 },
          { module: Steady, call_polling: 10 },
        ],
      }),
    );
    expect(err.message).to.include(
      'modules[0].module: isolation: worker needs a module spec string',
    );
    expect(err.message).to.include(
      'modules[1].resource_limits: resource_limits applies only to isolated modules',
    );
    expect(err.message).to.include('modules[2].isolation: expected one of in-process, worker');
    expect(err.message).to.include(
      'modules[3].call_polling: expected a whole number of microseconds from 0 (off) to 1000',
    );
    expect(err.message).to.include(
      'modules[4].call_polling: call_polling applies only to isolated modules',
    );
  });
});
