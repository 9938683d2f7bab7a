#!/usr/bin/env node
/** The `modhost` command. */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs, USAGE, UsageError } from './args.js';
import { call } from './call.js';
import { check, inspect, serve } from './commands.js';
import { newModule } from './new-module.js';
import { renderError } from './report-error.js';

function version(): string {
  const pkg = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  ) as {
    version: string;
  };
  return pkg.version;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`modhost: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    if (args.command === 'serve') return await serve(args);
    if (args.command === 'check') return await check(args, process.stdout);
    if (args.command === 'call') return await call(args, process.stdout);
    if (args.command === 'new-module') return await newModule(args, process.stdout);
    return await inspect(args, process.stdout);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`modhost: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`${renderError(err)}\n`);
    return 1;
  }
}

// Exit explicitly: whatever a module left behind (sockets, timers) must not keep a finished
// command alive. stdout and stderr are synchronous for files and pipes, so nothing is lost.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${renderError(err)}\n`);
    process.exit(1);
  },
);
