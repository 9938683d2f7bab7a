/**
 * A `modhost serve` child for the containment tests: a YAML of its own, captured output, the
 * way it ended, and a kill by pid in every case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../cluster/wait-for.js';

const bin = path.join(repoRoot, 'dist/src/cli/main.js');
export const fixture = path.join(repoRoot, 'dist/test/fixtures/modules/misbehaving.js');

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServeProcess {
  output = '';
  readonly ended: Promise<Ended>;
  private readonly dir: string;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    dir: string,
  ) {
    this.dir = dir;
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    this.ended = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Starts `modhost serve` on a config made of `yaml` lines plus the server section. */
  static async spawn(yaml: string[]): Promise<ServeProcess> {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'modhost-containment-'));
    const file = path.join(dir, 'modhost.yaml');
    writeFileSync(
      file,
      [`server: { bind: 127.0.0.1, port: ${port}, drain_timeout: 2s }`, ...yaml, ''].join('\n'),
    );
    const child = spawn(process.execPath, [bin, 'serve', '-c', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServeProcess(child, `http://127.0.0.1:${port}`, dir);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitHealthy(): Promise<void> {
    await waitFor('the host to answer /health', async () => {
      if (!this.alive) throw new Error(`the host exited:\n${this.output}`);
      return (await fetch(`${this.url}/health`).catch(() => undefined))?.status === 200;
    });
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** Ends the process by pid (SIGKILL) if still running, and removes its directory. */
  async dispose(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.ended;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The parsed JSON log records in `output` (non-JSON lines are skipped). */
export function records(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}
