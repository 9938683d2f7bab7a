/**
 * Containment without isolation: real `modhost serve` processes with real infinite loops. A
 * blocked event loop ends the process non-zero with the module named; a hung onStart exits 1
 * naming the module; SIGTERM still ends a blocked host. Bounded: every wait has a limit, every
 * process is killed by pid afterwards.
 */
import { expect } from 'chai';
import { waitFor } from '../cluster/wait-for.js';
import { freePort } from '../helpers/ports.js';
import { ServeProcess, fixture, records } from './serve-process.js';

const modules = (...classes: string[]) => [
  'modules:',
  ...classes.map((c) => `  - module: "${fixture}#${c}"`),
];

/** Waits for the process to end, failing (not hanging) past `ms`. */
async function endedWithin(host: ServeProcess, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${ms} ms:\n${host.output}`)),
      ms,
    );
  });
  try {
    return await Promise.race([host.ended, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('watchdog and start deadlines (real processes)', function () {
  this.timeout(60_000);
  const hosts: ServeProcess[] = [];
  const serve = async (yaml: string[]) => {
    const host = await ServeProcess.spawn(yaml);
    hosts.push(host);
    return host;
  };
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.dispose()));
  });

  it('a web handler that spins ends the process non-zero, naming the module and the resource', async function () {
    const host = await serve([
      'watchdog: { blocked_timeout: 500ms }',
      ...modules('Healthy', 'Spinner'),
    ]);
    await host.waitHealthy();
    expect((await fetch(`${host.url}/_synapse/client/healthy`)).status).to.equal(200);
    fetch(`${host.url}/_synapse/client/spin`).catch(() => undefined);
    const ended = await endedWithin(host, 20_000);
    expect(ended.code === 0).to.equal(false);
    expect(ended.signal ?? ended.code).to.not.equal(null);
    const report = records(host.output).find((r) => r.component === 'watchdog');
    expect(report, host.output).to.include({ module: 'spinner', level: 60 });
    expect(report!.msg).to.contain('module spinner (resource /_synapse/client/spin)');
    expect(report!.blocked_ms as number).to.be.at.least(500);
  });

  it('a block after an await names the module entered last', async function () {
    const host = await serve([
      'watchdog: { blocked_timeout: 300ms, exit: false }',
      ...modules('Healthy', 'Spinner'),
    ]);
    await host.waitHealthy();
    await (await fetch(`${host.url}/_synapse/client/block_later?ms=1200`)).json();
    const during = records(host.output).find((r) => r.component === 'watchdog');
    expect(during?.msg, host.output).to.contain(
      'the module code entered last was spinner (resource /_synapse/client/block_later)',
    );
  });

  it('SIGTERM to a blocked host still ends it (through the watchdog)', async function () {
    const host = await serve(['watchdog: { blocked_timeout: 1s }', ...modules('Spinner')]);
    await host.waitHealthy();
    fetch(`${host.url}/_synapse/client/spin`).catch(() => undefined);
    // Give the request time to reach the handler, then ask the process to stop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    host.signal('SIGTERM');
    const ended = await endedWithin(host, 20_000);
    expect(ended.code === 0).to.equal(false);
  });

  it('with exit: false a block is logged and counted once the loop runs again', async function () {
    const metricsPort = await freePort();
    const host = await serve([
      'watchdog: { blocked_timeout: 300ms, exit: false }',
      `metrics: { bind: 127.0.0.1, port: ${metricsPort} }`,
      ...modules('Healthy', 'Spinner'),
    ]);
    await host.waitHealthy();
    const blocked = await fetch(`${host.url}/_synapse/client/block?ms=1500`);
    expect(await blocked.json()).to.deep.equal({ blocked: 1500 });
    expect((await fetch(`${host.url}/_synapse/client/healthy`)).status).to.equal(200);
    // Both records reach us through the child's stdout: wait for them rather than a fixed time.
    // The watchdog decided 1.2 s before the answer came (blocked_timeout 300 ms), so a process
    // still alive now was not ended by it.
    const blockRecords = () => {
      const lines = records(host.output);
      return {
        during: lines.find((r) => r.component === 'watchdog' && r.level === 50),
        after: lines.find((r) => r.level === 40 && String(r.msg).includes('was blocked')),
      };
    };
    await waitFor('the block to be logged during and after it', () => {
      const { during, after } = blockRecords();
      return during !== undefined && after !== undefined;
    });
    expect(host.alive).to.equal(true);
    const { during, after } = blockRecords();
    expect(during?.module, host.output).to.equal('spinner');
    expect(after?.module, host.output).to.equal('spinner');
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).to.match(/modhost_event_loop_blocked_total\{module="spinner"[^}]*\} 1/);
    // Process health is exported too.
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_active_handles_total',
    ])
      expect(metrics).to.contain(name);
  });

  it('a spinning onStart ends the process naming the module and its hook', async function () {
    const host = await serve(['watchdog: { blocked_timeout: 500ms }', ...modules('SpinStart')]);
    await endedWithin(host, 20_000);
    const report = records(host.output).find((r) => r.component === 'watchdog');
    expect(report?.msg, host.output).to.contain('module spin_start (hook onStart)');
  });

  for (const cls of ['HungStart', 'HungStartIo']) {
    it(`an onStart that never settles (${cls}) exits 1 naming the module`, async function () {
      const host = await serve(['start_timeout: 500ms', ...modules('Healthy', cls)]);
      const ended = await endedWithin(host, 20_000);
      expect(ended).to.deep.equal({ code: 1, signal: null });
      const name = cls === 'HungStart' ? 'hung_start' : 'hung_start_io';
      expect(host.output).to.contain(
        `module ${name}: onStart did not finish within 500 ms (start_timeout)`,
      );
      expect(host.output).to.contain('MODHOST_MODULE_START_TIMEOUT');
    });
  }

  it('a module entry’s start_timeout overrides the top-level one, and the message names it', async function () {
    const host = await serve([
      'start_timeout: 1m',
      'modules:',
      `  - module: "${fixture}#HungStart"`,
      '    start_timeout: 300ms',
    ]);
    const ended = await endedWithin(host, 20_000);
    expect(ended.code).to.equal(1);
    expect(host.output).to.contain('within 300 ms (modules[0].start_timeout)');
  });
});
