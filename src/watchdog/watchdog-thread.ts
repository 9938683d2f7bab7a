/**
 * The watchdog thread: notices that the main thread's heartbeat stopped, reports which module's
 * code was running (from the shared activity state), and by default ends the process.
 *
 * It must work while the main thread runs nothing at all, so it never asks the main thread for
 * anything: the report is written straight to stderr's file descriptor (a worker's
 * `process.stderr` is forwarded through the blocked main thread and would never appear), and the
 * process is ended with SIGKILL, the one way out that needs no JavaScript on the main thread
 * (exit handlers cannot run on a loop that is blocked). Everything else, counting and logging
 * through the host's logger, happens on the main thread once its loop runs again.
 */
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { ACTIVITY_SLOTS, type ActivityLabel } from './activity.js';
import {
  type BlockReport,
  type ToWatchdog,
  type WatchdogOptions,
  describeBlock,
} from './protocol.js';

const options = workerData as WatchdogOptions;
const state = new Int32Array(options.state);
const labels = new Map<number, ActivityLabel>();
const port = parentPort!;

let lastBeat = Atomics.load(state, ACTIVITY_SLOTS.BEAT);
let lastChange = performance.now();
let reported: BlockReport | undefined;

const timer = setInterval(check, options.checkEvery);

port.on('message', (message: ToWatchdog) => {
  if (message.type === 'label') labels.set(message.id, message.label);
  else {
    clearInterval(timer);
    port.close();
  }
});

function check(): void {
  const beat = Atomics.load(state, ACTIVITY_SLOTS.BEAT);
  const now = performance.now();
  if (beat !== lastBeat) {
    if (reported) port.postMessage({ type: 'unblocked', ...reported, blockedMs: now - lastChange });
    reported = undefined;
    lastBeat = beat;
    lastChange = now;
    return;
  }
  const blockedMs = now - lastChange;
  if (reported || blockedMs < options.blockedTimeout) return;
  reported = describe(blockedMs);
  const module = (reported.running ?? reported.lastEntered)?.module;
  const msg = `${describeBlock(reported, true)}${options.exit ? '; ending the process (watchdog.exit)' : ''}`;
  const record = {
    level: options.exit ? 60 : 50,
    time: Date.now(),
    pid: process.pid,
    instance: options.instance,
    ...(module !== undefined ? { module } : {}),
    component: 'watchdog',
    blocked_ms: Math.round(blockedMs),
    msg,
  };
  writeSync(2, `${JSON.stringify(record)}\n`);
  if (options.exit) process.kill(process.pid, 'SIGKILL');
  port.postMessage({ type: 'blocked', ...reported });
}

function describe(blockedMs: number): BlockReport {
  const running = labels.get(Atomics.load(state, ACTIVITY_SLOTS.CURRENT));
  if (running) return { blockedMs, running };
  const lastEntered = labels.get(Atomics.load(state, ACTIVITY_SLOTS.LAST));
  return lastEntered ? { blockedMs, lastEntered } : { blockedMs };
}
