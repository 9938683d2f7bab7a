/**
 * What the real-server helpers (postgres-server.ts, redis-server.ts) share: waiting for a child
 * server to serve, and killing one by its handle.
 */
import type { ChildProcess } from 'node:child_process';

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Resolves true once `ready()` does (asked every `intervalMs`); false when the child exits first
 * or `timeoutMs` passes. The caller then kills it and reports its output.
 */
export async function untilServing(
  child: ChildProcess,
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child)) return false;
    if (await ready()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

/** Sends `kill(child)` unless the child is gone already, and resolves once it has exited. */
export async function killAndWait(child: ChildProcess, kill: () => void): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  kill();
  await gone;
}
