/**
 * The in-process watchdog (modules not isolated in workers): a thread of its own watches the
 * main thread's event loop through a heartbeat in shared memory. When the loop has been blocked
 * longer than `watchdog.blocked_timeout`, the thread logs which module's code was running (see
 * activity.ts) and, by default, ends the process with a non-zero exit so a supervisor restarts
 * it instead of leaving a silent hang that not even SIGTERM can stop. Blocks shorter than the
 * exit (or with `exit: false`) are logged and counted on the main thread once it runs again.
 *
 * Started by a listening host (`modhost serve`, or an embedder's host that listens); not by
 * `modhost check` or `createTestHost`. With a debugger attached, a paused main thread looks
 * blocked, so the watchdog then reports but never ends the process.
 */
import inspector from 'node:inspector';
import { Worker } from 'node:worker_threads';
import type { WatchdogConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { blockedLoopCounter } from '../metrics/module-metrics.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { ACTIVITY_SLOTS, activityState, watchLabels } from './activity.js';
import { type FromWatchdog, type WatchdogOptions, describeBlock } from './protocol.js';

export interface Watchdog {
  stop(): Promise<void>;
}

const THREAD = new URL('./watchdog-thread.js', import.meta.url);

export function startWatchdog(
  config: WatchdogConfig,
  extras: { logger: Logger; metrics: MetricsRegistry; instance: string },
): Watchdog {
  const logger = extras.logger.child({ component: 'watchdog' });
  const blocked = blockedLoopCounter(extras.metrics);
  // Beat a few times per timeout, so a block is seen within a fraction of it.
  const checkEvery = Math.max(10, Math.min(250, Math.floor(config.blocked_timeout / 4)));
  const debugging = inspector.url() !== undefined;
  const options: WatchdogOptions = {
    blockedTimeout: config.blocked_timeout,
    exit: config.exit && !debugging,
    checkEvery,
    instance: extras.instance,
    state: activityState.buffer as SharedArrayBuffer,
  };
  const worker = new Worker(THREAD, { workerData: options, name: 'modhost watchdog' });
  // Neither the thread nor the heartbeat may keep a process alive that has nothing else to do.
  worker.unref();
  const heartbeat = setInterval(
    () => Atomics.add(activityState, ACTIVITY_SLOTS.BEAT, 1),
    checkEvery,
  );
  heartbeat.unref();
  const unwatch = watchLabels((id, label) => worker.postMessage({ type: 'label', id, label }));
  worker.on('message', (message: FromWatchdog) => {
    const module = (message.running ?? message.lastEntered)?.module;
    if (message.type === 'blocked') {
      blocked.inc({ module: module ?? '' });
      return;
    }
    logger.warn(
      { ...(module !== undefined ? { module } : {}), blocked_ms: Math.round(message.blockedMs) },
      describeBlock(message, false),
    );
  });
  worker.on('error', (err) =>
    logger.error({ err }, 'the watchdog thread failed; the event loop is no longer watched'),
  );
  if (debugging)
    logger.warn('a debugger is attached: the watchdog reports blocks but never ends the process');
  return {
    async stop() {
      clearInterval(heartbeat);
      unwatch();
      worker.postMessage({ type: 'stop' });
      await worker.terminate();
    },
  };
}
