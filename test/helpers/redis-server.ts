/**
 * A real `redis-server` for tests: on a free loopback port, no persistence, killed (by pid) when
 * the test is done, and restartable on the same port to simulate an outage. Suites call
 * `requireRedisServer(this)` first: without redis-server installed they are skipped with the
 * reason, except under `CI=true`, where missing Redis is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './ports.js';
import { killAndWait, untilServing } from './server-start.js';
import { skipUnlessInstalled } from './skip-unless-installed.js';

export { freePort };

const INSTALL_HINT =
  'install it with `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS)';

let availability: boolean | undefined;

export function redisServerInstalled(): boolean {
  availability ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return availability;
}

/** In a `before` hook: skips the suite (saying why) when redis-server is missing, or fails on CI. */
export function requireRedisServer(context: Mocha.Context): void {
  skipUnlessInstalled(
    context,
    redisServerInstalled(),
    'Redis',
    `redis-server is not installed; ${INSTALL_HINT}`,
  );
}

/** Resolves true once something on `port` answers PING with PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

const running = new Set<ChildProcess>();
// Safety net if a test run dies before its `after` hook: never leave a redis-server behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class RedisServer {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts on `port`, or on a free one (retrying if another process grabs it first). */
  static async start(port?: number): Promise<RedisServer> {
    for (let attempt = 0; ; attempt++) {
      const server = new RedisServer(port ?? (await freePort()));
      try {
        await server.launch();
        return server;
      } catch (err) {
        if (port !== undefined || attempt >= 4) throw err;
      }
    }
  }

  /** Kills the server abruptly (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    await killAndWait(child, () => child.kill('SIGKILL'));
    running.delete(child);
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing answers. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Unfreezes it (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Starts again on the same port (after `kill`). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** The server's own output so far, for failure messages. */
  get log(): string {
    return this.output;
  }

  private async launch(): Promise<void> {
    this.output = '';
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    running.add(child);
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.once('exit', () => running.delete(child));
    if (await untilServing(child, () => answersPing(this.port), 10_000, 20)) return;
    await this.kill();
    throw new Error(
      `redis-server on port ${this.port} did not answer PING; its output:\n${this.output}`,
    );
  }
}

/**
 * In a `describe`: a RedisServer started before the suite (skipped without redis-server, as
 * `requireRedisServer`) and killed after it. Returns a getter for it.
 */
export function useRedisServer(): () => RedisServer {
  let server: RedisServer | undefined;
  before(async function () {
    requireRedisServer(this);
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.kill();
  });
  return () => server!;
}
