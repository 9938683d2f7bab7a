/**
 * A real PostgreSQL for tests, from Debian's postgresql package: a fresh cluster in a temp
 * directory owned by the `postgres` user (the server refuses to run as root), on a free loopback
 * port, password-authenticated, killed by its handle when the test is done and restartable on the
 * same port and data to simulate an outage. Suites call `requirePostgres(this)` first: without
 * the package they are skipped with the reason, except under `CI=true`, where that is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';
import { killAndWait, untilServing } from './server-start.js';
import { skipUnlessInstalled } from './skip-unless-installed.js';

const INSTALL_HINT = 'install it with `apt-get install postgresql` (Debian/Ubuntu)';
export const PG_PASSWORD = 'pg-test-s3cret';

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the postgres user when we are root (runuser), else as ourselves. */
function command(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** In a `before` hook: skips the suite (saying why) when PostgreSQL is missing, or fails on CI. */
export function requirePostgres(context: Mocha.Context): void {
  skipUnlessInstalled(
    context,
    binDir() !== undefined,
    'PostgreSQL',
    `PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres); ${INSTALL_HINT}`,
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(false));
    socket.on('connect', () => (socket.destroy(), resolve(true)));
  });
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) if (child.pid) killGroup(child.pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export class PostgresServer {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  /** `postgres://modhost:<password>@127.0.0.1:<port>/modhost` */
  get url(): string {
    return `postgres://modhost:${PG_PASSWORD}@127.0.0.1:${this.port}/modhost`;
  }

  static async start(): Promise<PostgresServer> {
    const bin = binDir();
    if (!bin) throw new Error(`PostgreSQL is not installed; ${INSTALL_HINT}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'modhost-pg-'));
    const pwfile = path.join(dir, 'pw');
    writeFileSync(pwfile, PG_PASSWORD);
    if (asRoot) {
      const { uid, gid } = postgresIds();
      chownSync(dir, uid, gid);
      chownSync(pwfile, uid, gid);
    }
    const data = path.join(dir, 'data');
    const [cmd, args] = command(path.join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'modhost',
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const init = spawnSync(cmd, args, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
    const server = new PostgresServer(await freePort(), dir, bin);
    await server.launch();
    const [psql, psqlArgs] = command(path.join(bin, 'psql'), [
      '-h',
      dir,
      '-p',
      String(server.port),
      '-U',
      'modhost',
      '-d',
      'postgres',
      '-c',
      'create database modhost',
    ]);
    const created = spawnSync(psql, psqlArgs, { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`create database failed:\n${created.stderr}`);
    return server;
  }

  /** Kills the server and its backends abruptly (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const postmaster = this.postmasterPid();
    await killAndWait(child, () => killGroup(child.pid!, 'SIGKILL'));
    // runuser may exit before the postmaster is reaped: wait for the server process itself.
    if (postmaster) {
      try {
        process.kill(postmaster, 'SIGKILL');
      } catch {
        // gone
      }
      while (alive(postmaster)) await new Promise((r) => setTimeout(r, 20));
    }
    running.delete(child);
    // A killed postmaster leaves its pid and socket lock files; the next start recovers from the WAL.
    rmSync(path.join(this.dir, 'data', 'postmaster.pid'), { force: true });
    for (const name of readdirSync(this.dir))
      if (name.startsWith('.s.PGSQL.')) rmSync(path.join(this.dir, name), { force: true });
  }

  private postmasterPid(): number | undefined {
    try {
      const pid = Number(
        readFileSync(path.join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Freezes the server and every backend (SIGSTOP): connections stay open, nothing answers. */
  pause(): void {
    this.signalServer('SIGSTOP');
  }

  resume(): void {
    this.signalServer('SIGCONT');
  }

  /** The postmaster and every backend (runuser may put them in a process group of their own). */
  private signalServer(signal: NodeJS.Signals): void {
    const root = this.postmasterPid();
    if (!root) return;
    const parents = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // exited meanwhile
      }
    }
    const tree = [root];
    for (let i = 0; i < tree.length; i++)
      for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
    for (const pid of tree) {
      try {
        process.kill(pid, signal);
      } catch {
        // exited meanwhile
      }
    }
  }

  /** Starts again on the same port and data (after `kill`). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** Kills the server and removes its data. */
  async destroy(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  get log(): string {
    return this.output;
  }

  private async launch(): Promise<void> {
    this.output = '';
    const [cmd, args] = command(path.join(this.bin, 'postgres'), [
      '-D',
      path.join(this.dir, 'data'),
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=100',
    ]);
    // Its own process group, so kill/pause reach the postmaster and every backend by one handle.
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    running.add(child);
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    child.once('exit', () => running.delete(child));
    const ready = async () =>
      /ready to accept connections/.test(this.output) && (await accepts(this.port));
    if (await untilServing(child, ready, 30_000, 50)) return;
    await this.kill();
    throw new Error(`postgres on port ${this.port} did not start; its output:\n${this.output}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('there is no postgres user (the postgresql package creates it)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
