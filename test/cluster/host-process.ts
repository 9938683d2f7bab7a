/**
 * A real `modhost serve` child process for the multi-process tests: its own YAML file, free
 * loopback ports for HTTP and metrics, captured output for failure messages, and a stop that
 * ends it by pid (SIGTERM, then SIGKILL if it hangs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { freePort, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from './wait-for.js';

/** The repository root, from dist/test/cluster/host-process.js. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'dist/src/cli/main.js');

/** The cluster test fixture's file, and the spec of its `ClusterCounter` module. */
export const counterFixture = path.join(repoRoot, 'dist/test/fixtures/cluster/counter.js');
export const counterModule = `${counterFixture}#ClusterCounter`;

export interface HostProcessOptions {
  name: string;
  runBackgroundTasks: boolean | 'auto';
  redisUrl: string;
  /** More `cluster:` settings, YAML flow text such as `lease_ttl: 1s, stall_timeout: 300ms`. */
  cluster?: string;
  /** The `config:` of every module, as JSON. */
  moduleConfig?: Record<string, unknown>;
  channel: string;
  /** Directory for the YAML file. */
  dir: string;
  /** `path/to/file.js#Class` specs, absolute. */
  modules: string[];
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class HostProcess {
  private output = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly url: string,
    readonly metricsUrl: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  /** Starts `modhost serve` and waits until `/health` answers. */
  static async start(options: HostProcessOptions): Promise<HostProcess> {
    const port = await freePort();
    const metricsPort = await freePort();
    const file = path.join(options.dir, `${options.name}.yaml`);
    writeFileSync(
      file,
      [
        `server: { bind: 127.0.0.1, port: ${port}, public_baseurl: "http://127.0.0.1:${port}/" }`,
        `instance: { name: ${options.name}, run_background_tasks: ${options.runBackgroundTasks} }`,
        `cluster: { redis_url: "${options.redisUrl}", channel: ${options.channel}${options.cluster ? `, ${options.cluster}` : ''} }`,
        `metrics: { bind: 127.0.0.1, port: ${metricsPort} }`,
        'log_level: debug',
        'modules:',
        ...options.modules.flatMap((spec) => [
          `  - module: "${spec}"`,
          ...(options.moduleConfig ? [`    config: ${JSON.stringify(options.moduleConfig)}`] : []),
        ]),
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [bin, 'serve', '-c', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --enable-source-maps`,
      },
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const host = new HostProcess(
      options.name,
      child,
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${metricsPort}`,
    );
    try {
      await waitFor(
        `instance ${options.name} to answer /health`,
        async () => {
          if (!host.alive) throw new Error(`instance ${options.name} exited:\n${host.log}`);
          return (await fetch(`${host.url}/health`).catch(() => undefined))?.status === 200;
        },
        30_000,
      ); // a loaded CI machine can take a while to start a process
    } catch (err) {
      await host.stop();
      throw err instanceof Error && err.message.includes('exited')
        ? err
        : new Error(`${(err as Error).message}; its output:\n${host.log}`);
    }
    return host;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends `signal` (SIGKILL, SIGSTOP, SIGCONT) to the process, by its pid. */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Resolves once the process has exited (after a SIGKILL, say). */
  exited(): Promise<void> {
    if (!this.alive) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Everything the process printed so far. */
  get log(): string {
    return this.output;
  }

  async get<T>(pathAndQuery: string): Promise<T> {
    return this.request<T>('GET', pathAndQuery);
  }

  async post<T>(pathAndQuery: string): Promise<T> {
    return this.request<T>('POST', pathAndQuery);
  }

  /** The value of a metric without labels other than the default ones, from /metrics. */
  async metric(name: string): Promise<number | undefined> {
    const res = await fetch(`${this.metricsUrl}/metrics`);
    const text = await res.text();
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  }

  async busConnected(): Promise<boolean> {
    return (await this.metric('modhost_cluster_bus_connected')) === 1;
  }

  /** SIGTERM (graceful), then SIGKILL after 10 s; resolves once the process is gone. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async request<T>(method: string, pathAndQuery: string): Promise<T> {
    const res = await fetch(`${this.url}${pathAndQuery}`, { method });
    const body = await res.text();
    if (res.status !== 200) {
      throw new Error(`${method} ${pathAndQuery} on ${this.name}: ${res.status} ${body}`);
    }
    return JSON.parse(body) as T;
  }
}

/** Starts one `modhost serve` per name, configured alike but for the name. */
export function startHosts(
  names: readonly string[],
  options: Omit<HostProcessOptions, 'name'>,
): Promise<HostProcess[]> {
  return Promise.all(names.map((name) => HostProcess.start({ ...options, name })));
}

/**
 * The `after` of a multi-process suite: thaws and stops every host (by pid), then kills Redis and
 * removes the temp dir.
 */
export async function tearDown(
  hosts: HostProcess[],
  redis: RedisServer | undefined,
  dir: string | undefined,
): Promise<void> {
  redis?.resume();
  for (const h of hosts) h.signal('SIGCONT');
  await Promise.all(hosts.map((h) => h.stop()));
  await redis?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** The `afterEach` of a multi-process suite: a failed test prints every host's output. */
export function printOutputOnFailure(
  context: Mocha.Context,
  hosts: readonly HostProcess[],
  extra?: () => string | undefined,
): void {
  if (context.currentTest?.state !== 'failed') return;
  for (const h of hosts) console.log(`--- output of instance ${h.name} ---\n${h.log}`);
  const more = extra?.();
  if (more) console.log(more);
}
