/**
 * A real `modhost serve` child process for the fault tests: started on a config file, its base
 * URL read from its log, its output kept for failure messages, and ended by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const bin = path.join(repoRoot, 'dist/src/cli/main.js');

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class ServeProcess {
  output = '';
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    exited: Promise<number | string>,
  ) {
    this.exited = exited;
  }

  /** Runs `modhost serve -c <config>` (path relative to the repo) and waits for its URL. */
  static start(config: string, env: Record<string, string> = {}): Promise<ServeProcess> {
    return ServeProcess.run([bin, 'serve', '-c', path.join(repoRoot, config)], env);
  }

  /** Runs node with `args` and waits for the URL it logs (`"url":"http://..."`). */
  static async run(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    running.add(child);
    let output = '';
    const exited = new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve(code ?? signal ?? 'unknown');
      }),
    );
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => {
        output += c.toString();
        const m = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited early (${code}):\n${output}`)));
    });
    const proc = new ServeProcess(child, url, exited);
    proc.output = output;
    child.stdout!.on('data', (c: Buffer) => (proc.output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (proc.output += c.toString()));
    return proc;
  }

  /** Log lines at error level or above (pino's JSON `level` ≥ 50). */
  get errorLines(): string[] {
    return this.output.split('\n').filter((line) => /"level":(5\d|6\d)/.test(line));
  }

  /** Ends the process by pid if it still runs. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
