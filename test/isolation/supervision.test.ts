/**
 * Supervision with real worker threads and real infinite loops: a module spinning or leaking
 * in its worker is terminated and rebuilt while the host and its other modules keep serving.
 * Outcomes are awaited by polling the logs; nothing asserts on timings.
 */
import { expect } from 'chai';
import { createTestHost, type TestHost } from 'modhost/testing';
import { Steady } from '../fixtures/isolation/faulty.js';
import { waitFor } from '../cluster/wait-for.js';
import { builtFixture } from '../helpers/paths.js';
import { rejectionOf } from '../helpers/rejection.js';

const FAULTY = `${builtFixture('isolation/faulty.js')}#Faulty`;
const LIMIT = 30_000;

describe('isolation: supervision of worker modules', function () {
  this.timeout(90_000);
  let host: TestHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  async function start(faulty: Record<string, unknown> = {}): Promise<TestHost> {
    host = await createTestHost({
      listen: true,
      modules: [
        { module: Steady },
        {
          module: FAULTY,
          isolation: 'worker',
          handler_timeout: '1s',
          callback_timeout: '500ms',
          ...faulty,
          supervision: {
            restart_backoff: '10ms',
            blocked_timeout: '2s',
            ...(faulty.supervision as {}),
          },
        },
      ],
    });
    return host;
  }
  const get = (path: string) => fetch(`${host!.url}/_synapse/client${path}`);
  const logged = (text: string) => host!.logs.filter((r) => r.msg.includes(text));
  /** Module A (in process) answers its resource and its callback. */
  async function steadyServes(): Promise<void> {
    expect((await get('/steady')).status).to.equal(200);
    expect(await host!.callbacks.run('spam_checker', 'user_may_create_room', '@a:x', {})).to.equal(
      'NOT_SPAM',
    );
  }

  it("aborts an isolated handler's request signal at its deadline, and 503s", async () => {
    await start();
    expect((await get('/faulty/abortable')).status).to.equal(503);
    // The handler saw the abort in its worker and stopped (the module keeps serving).
    const aborts = async () =>
      ((await (await get('/faulty/aborts')).json()) as { aborts: string[] }).aborts;
    await waitFor('the handler to see its abort', async () => (await aborts()).length === 1);
    expect(await (await get('/faulty/aborts')).json()).to.deep.equal({ aborts: ['AbortError'] });
  });

  it('503s a hung handler; keeps serving module A while isolated B spins; B comes back, then stays down after max_restarts', async () => {
    await start({ supervision: { max_restarts: 1 } });
    expect(await (await get('/faulty/')).json()).to.deep.equal({ ok: true, starts: 1 });

    // A hung handler (its worker still answers) gets 503 at the deadline; nothing restarts.
    const hung = await get('/faulty/hang');
    expect(hung.status).to.equal(503);
    expect(((await hung.json()) as { error: string }).error).to.include('did not answer in time');
    expect(logged('did not answer within 1000 ms')).to.have.length(1);
    expect(await (await get('/faulty/')).json()).to.deep.equal({ ok: true, starts: 1 });
    expect(logged('restarting module')).to.have.length(0);

    // B spins in a callback: the call fails as a timeout under spam_checker's policy (propagate).
    const call = host!.callbacks.run('spam_checker', 'user_may_invite', '@spin:x', '@b:x', '!r:x');
    for (let i = 0; i < 5; i++) await steadyServes();
    expect((await rejectionOf(call)).code).to.equal('MODHOST_CALLBACK_TIMEOUT');
    await waitFor('B terminated', () => logged('stopped answering').length === 1, LIMIT);
    expect(logged('stopped answering')[0]!.module).to.equal('faulty');
    await waitFor('B restarted', () => logged('restarted in a new worker').length === 1, LIMIT);
    expect(await (await get('/faulty/')).json()).to.deep.equal({ ok: true, starts: 1 });
    expect(await (await fetch(`${host!.url}/health`)).text()).to.equal('OK');

    // B spins in a web handler: 503 at the deadline; a second failure within the window is one
    // more than max_restarts allows, so B stays down and /health says so.
    const spinning = get('/faulty/spin');
    for (let i = 0; i < 5; i++) await steadyServes();
    expect((await spinning).status).to.equal(503);
    await waitFor('B down', () => logged('it stays down').length === 1, LIMIT);
    const health = await fetch(`${host!.url}/health`);
    expect(health.status).to.equal(200);
    expect(await health.text()).to.match(/^Degraded: module faulty is down/);
    expect((await get('/faulty/')).status).to.equal(503);
    const refused = await rejectionOf(
      host!.callbacks.run('spam_checker', 'user_may_invite', '@a:x', '@b:x', '!r:x'),
    );
    expect(refused.code).to.equal('MODHOST_MODULE_UNAVAILABLE');
    await steadyServes();
    const metrics = await host!.metrics.metrics();
    expect(metrics).to.match(/modhost_module_worker_restarts_total\{module="faulty"[^}]*\} 1/);
    expect(metrics).to.match(/modhost_module_worker_up\{module="faulty"[^}]*\} 0/);
    // Each of the two spins ended its worker for a blocked loop: the module's blocked-loop events.
    expect(metrics).to.match(/modhost_event_loop_blocked_total\{module="faulty"[^}]*\} 2/);
  });

  it('restarts only the module whose heap outgrows resource_limits.max_heap', async () => {
    await start({ resource_limits: { max_heap: '32M' } });
    expect((await get('/faulty/leak')).status).to.equal(503);
    await waitFor('B out of memory', () => logged('ran out of memory').length === 1, LIMIT);
    const oom = logged('ran out of memory');
    expect(oom).to.have.length(1);
    expect(oom[0]!.module).to.equal('faulty');
    expect(oom[0]!.msg).to.include('module faulty');
    await steadyServes();
    await waitFor('B restarted', () => logged('restarted in a new worker').length === 1, LIMIT);
    expect(await (await get('/faulty/')).json()).to.deep.equal({ ok: true, starts: 1 });
  });
});
