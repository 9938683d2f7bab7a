/** The three commands. Each returns the process exit code. */
import { ModuleHost } from '../host/module-host.js';
import { renderDescription } from '../host/inspect.js';
import { createLogger } from '../logging/logger.js';
import { installFastResponseJson } from '../web/fast-globals.js';
import type { CliArgs } from './args.js';

async function wiredHost(args: CliArgs): Promise<ModuleHost> {
  // stdout carries the report (or JSON); only warnings and errors go to stderr.
  const logger = createLogger({ level: 'warn', destination: process.stderr, pretty: false });
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
  const host = await wiredHost(args);
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
  // This process is ours: make Response.json cheap (undici builds a stream per Response, which
  // costs more than the rest of a small request), as @hono/node-server overrides its globals.
  installFastResponseJson();
  const host = await ModuleHost.fromConfigFile(args.config, { instanceName: args.instance });
  await host.start();
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
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
