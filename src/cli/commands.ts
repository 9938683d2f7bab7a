/** The three commands. Each returns the process exit code. */
import { ModuleHost } from '../host/module-host.js';
import { renderDescription } from '../host/inspect.js';
import { createDeferredLogger } from '../logging/logger.js';
import type { CliArgs } from './args.js';
import { failureAsJson, renderError } from './report-error.js';

async function wiredHost(args: CliArgs): Promise<ModuleHost> {
  // stdout carries the report (or JSON); only warnings and errors go to stderr.
  const logger = createDeferredLogger({
    level: 'warn',
    destination: process.stderr,
    pretty: false,
  });
  const host = await ModuleHost.fromConfigFile(args.config, {
    instanceName: args.instance,
    logger,
  });
  await host.wire();
  return host;
}

export async function check(args: CliArgs, out: NodeJS.WritableStream): Promise<number> {
  const host = await wiredHost(args);
  try {
    const description = host.inspect();
    // Unreachable Redis is not an error: instances start degraded and connect when it answers.
    const reachability = await host.probeBus();
    if (reachability) description.bus = `${description.bus}: ${reachability}`;
    out.write(`${renderDescription(description)}\n${args.config}: ok\n`);
  } finally {
    await host.stop();
  }
  return 0;
}

export async function inspect(args: CliArgs, out: NodeJS.WritableStream): Promise<number> {
  let host: ModuleHost;
  try {
    host = await wiredHost(args);
  } catch (err) {
    if (!args.json) throw err;
    // Scripts read stdout: the problems as data there, the same report for people on stderr.
    out.write(`${JSON.stringify(failureAsJson(err), null, 2)}\n`);
    process.stderr.write(`${renderError(err)}\n`);
    return 1;
  }
  try {
    await host.probeBackground();
    const description = host.inspect();
    out.write(
      args.json
        ? `${JSON.stringify(description, null, 2)}\n`
        : `${renderDescription(description)}\n`,
    );
  } finally {
    await host.stop();
  }
  return 0;
}

/** Runs until SIGINT or SIGTERM, then stops gracefully (draining requests) and exits 0. */
export async function serve(args: CliArgs): Promise<number> {
  const host = await ModuleHost.fromConfigFile(args.config, { instanceName: args.instance });
  await host.start();
  // The host runs until asked to stop, even when nothing else keeps the process alive
  // (`server.listen: false`, a host of background tasks only).
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      clearInterval(keepAlive);
      host.logger.info({ signal }, 'stopping');
      host.stop().then(
        () => resolve(0),
        (err: Error) => {
          host.logger.error({ err }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
