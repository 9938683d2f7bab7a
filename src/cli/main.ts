#!/usr/bin/env node
/** The `modhost` command. */
import '../deps/reflect-metadata.js';
import { readFileSync } from 'node:fs';
import { parseArgs, USAGE, UsageError } from './args.js';
import { check, inspect, serve } from './commands.js';
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
    // Loaded only for their own command: `check` (the one whose start-up is budgeted) skips them.
    if (args.command === 'call')
      return await (await import('./call.js')).call(args, process.stdout);
    if (args.command === 'new-module')
      return await (await import('./new-module.js')).newModule(args, process.stdout);
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
let finished = false;
// The process never ends 0 without having been asked to: if the event loop runs dry while a
// command is still waiting (a module's promise that nothing will ever settle), say so, exit 1.
process.on('beforeExit', () => {
  if (finished) return;
  process.stderr.write(
    'modhost: nothing is left running but the command has not finished: a module is waiting ' +
      'on a promise that nothing will settle\n',
  );
  process.exit(1);
});
main(process.argv.slice(2)).then(
  (code) => {
    finished = true;
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`${renderError(err)}\n`);
    process.exit(1);
  },
);
