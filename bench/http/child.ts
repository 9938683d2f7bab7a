/**
 * Benchmark servers run in child processes: start one from a script in bench/http (or a path
 * relative to it, such as ../isolation/server.js), wait for it to announce its URL, and ask it
 * for its CPU time over IPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { READY_PREFIX } from './body.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Child {
  name: string;
  process: ChildProcess;
  /** The base URL it announced. */
  url: string;
}

export function startChild(name: string, script: string, args: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [path.join(here, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return announced(name, child, READY);
}

// The whole line: a chunk may end inside the URL.
const READY = new RegExp(`^${READY_PREFIX}(\\S+)\\r?\\n`, 'm');

/**
 * Resolves once `child` (spawned with stdout piped and an IPC channel) prints a line matching
 * `pattern`, whose first group is its base URL; rejects if it exits first.
 */
export function announced(name: string, child: ChildProcess, pattern: RegExp): Promise<Child> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const m = pattern.exec(buffered);
      if (m) resolve({ name, process: child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited early (${code})`)));
  });
}

/** The child's CPU time so far (µs), as answered by answerCpuQueries(). */
export function cpuOf(child: Child): Promise<number> {
  return new Promise((resolve, reject) => {
    if (!child.process.connected) return reject(new Error(`${child.name} has gone away`));
    child.process.once('message', (m: { cpu: number }) => resolve(m.cpu));
    child.process.send('cpu', (err) => {
      if (err) reject(err);
    });
  });
}
