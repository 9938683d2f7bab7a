/**
 * createTestHost: a started host with no socket, a fake clock and captured logs, for testing
 * modules (and for modhost's own tests).
 */
import { FakeClock } from '../clock/fake-clock.js';
import type { HostOptions } from '../host/host-options.js';
import { ModuleHost } from '../host/module-host.js';
import { createCapturingLogger, type LogRecord } from '../logging/logger.js';

export interface TestHostOptions extends Omit<HostOptions, 'clock' | 'logger'> {
  /** Start time of the fake clock (ms since the epoch). */
  now?: number;
  /** Listen on an ephemeral loopback port too (for tests over real HTTP). */
  listen?: boolean;
  /** Leave the host unstarted (to test start failures). */
  start?: boolean;
}

export interface TestHost extends ModuleHost {
  readonly clock: FakeClock;
  /** Every log record so far, newest last. */
  readonly logs: LogRecord[];
}

export async function createTestHost(options: TestHostOptions): Promise<TestHost> {
  const { now, listen = false, start = true, server, database, ...rest } = options;
  const clock = new FakeClock(now);
  const { logger, records } = createCapturingLogger();
  const host = await ModuleHost.create({
    ...rest,
    server: { port: 0, ...server, listen },
    // A fresh, empty database per test host, in memory, unless the test names one.
    database: database ?? { path: ':memory:' },
    clock,
    logger,
  });
  Object.defineProperty(host, 'logs', { value: records, enumerable: true });
  if (start) await host.start();
  return host as TestHost;
}
