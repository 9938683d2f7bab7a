/**
 * The demo's port is chosen on the command line (`--port`), by `DEMO_PORT`, or by demo.yaml's
 * `server.port`. demo.yaml also names the demo's own URL in module configs (the antispam and
 * directory services the modules call back): on another port, a copy of the file is used with
 * those URLs moved to the port the demo got.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

export interface ListenChoice {
  bind: string;
  port: number;
  /** Where the port came from, for messages. */
  source: string;
}

const DEFAULT_PORT = 8008;

/** The address to listen on: `--port N`, else DEMO_PORT, else the config's server section. */
export async function chooseListen(
  configFile: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ListenChoice> {
  const server = (parse(await readFile(configFile, 'utf8')) as { server?: Record<string, unknown> })
    ?.server;
  const bind = typeof server?.bind === 'string' ? server.bind : '127.0.0.1';
  const flag = args.indexOf('--port');
  if (flag !== -1) return { bind, port: portValue(args[flag + 1], '--port'), source: '--port' };
  if (env.DEMO_PORT !== undefined)
    return { bind, port: portValue(env.DEMO_PORT, 'DEMO_PORT'), source: 'DEMO_PORT' };
  const port = typeof server?.port === 'number' ? server.port : DEFAULT_PORT;
  return { bind, port, source: `server.port in ${configFile}` };
}

function portValue(text: string | undefined, where: string): number {
  if (text === undefined || !/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw Object.assign(
      new Error(`${where} must be a port number from 0 to 65535 (0 picks a free one)`),
      { code: 'MODHOST_DEMO_USAGE' },
    );
  return Number(text);
}

/**
 * `configFile`, or a copy beside it (so relative module specs and paths still resolve) whose
 * `127.0.0.1:<configured port>` URLs point at `port`. The caller removes the copy once loaded.
 */
export async function configForPort(configFile: string, port: number): Promise<string> {
  const text = await readFile(configFile, 'utf8');
  const server = (parse(text) as { server?: { port?: unknown } } | null)?.server;
  const configured = typeof server?.port === 'number' ? server.port : DEFAULT_PORT;
  if (configured === port) return configFile;
  const moved = text
    .replace(/^(\s*port:\s*)\d+/m, `$1${port}`)
    .replace(new RegExp(`(127\\.0\\.0\\.1|localhost):${configured}\\b`, 'g'), `$1:${port}`);
  const file = path.join(
    path.dirname(configFile),
    `.${path.basename(configFile)}.port-${port}.yaml`,
  );
  await writeFile(file, moved);
  return file;
}
