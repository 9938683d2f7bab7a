/**
 * `npm start`: the demo chat server on 127.0.0.1:8008 with the sample modules of demo.yaml.
 * Usage: node dist/samples/demo-host/main.js [--check] [--port N] [path/to/demo.yaml]
 *
 * The port is `--port N`, else the DEMO_PORT environment variable, else demo.yaml's
 * `server.port` (0 picks a free one; the log says which). A busy port is reported as
 * `modhost serve` reports it, with exit code 1.
 *
 * `--check` loads and wires the modules with the demo's providers, prints what each registered
 * and exits, without listening (`modhost check` cannot: it does not have the demo's
 * `HomeserverApi` to give the modules that need it).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ModuleHost } from 'modhost';
import { chooseListen, configForPort } from './config-port.js';
import { Demo } from './demo.js';

/** demo.yaml in the source tree, from dist/samples/demo-host/main.js or samples/demo-host/. */
function defaultConfigFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const repoRoot = here.includes(`${path.sep}dist${path.sep}`)
    ? path.resolve(here, '../../..')
    : path.resolve(here, '../..');
  return path.join(repoRoot, 'samples/demo-host/demo.yaml');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const checkOnly = args.includes('--check');
  const portAt = args.indexOf('--port');
  const positional = args.filter((a, i) => a !== '--check' && a !== '--port' && i !== portAt + 1);
  const configFile = positional[0] ?? defaultConfigFile();
  const demo = new Demo({ serverName: 'localhost' });
  // With --check, stdout carries the report: only warnings and errors are logged, to stderr.
  const logger = checkOnly ? pino({ level: 'warn' }, pino.destination(2)) : undefined;
  if (checkOnly) {
    const host = await ModuleHost.fromConfigFile(configFile, { providers: demo.providers, logger });
    await host.wire();
    console.log(JSON.stringify(host.inspect().modules, null, 2));
    await host.stop();
    console.log(`${configFile}: ok`);
    return;
  }
  // Listen first, so port 0 works: the modules' callback URLs then name the port the demo got.
  const choice = await chooseListen(configFile, args, process.env);
  const url = await demo.listen(choice.port, choice.bind, choice.source);
  const file = await configForPort(configFile, Number(new URL(url).port));
  const host = await ModuleHost.fromConfigFile(file, { providers: demo.providers }).finally(
    () => file !== configFile && rm(file, { force: true }),
  );
  await demo.attach(host);
  host.logger.info(
    { url, modules: host.inspect().modules.map((m) => m.name) },
    `demo chat server on ${url}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    host.logger.info({ signal }, 'stopping');
    demo.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: Error & { code?: string }) => {
  // Config problems already name file, line and path: print them without a stack.
  console.error(err.code?.startsWith('MODHOST_') ? err.message : err);
  process.exit(1);
});
