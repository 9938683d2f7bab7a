/**
 * `modhost call -c file <category> <name> --args '<json>'`: fires one callback by hand, as the
 * host would at its call site, and prints the combined result of the category's policy and then
 * each module's own answer, so an author sees their module decide without a host app.
 *
 * Each module's answer comes from calling its function alone, on its own copy of the arguments,
 * after the combined run: a callback with side effects sees two calls.
 */
import { inspect as show } from 'node:util';
import type { CallbackEntry } from '../callbacks/entry.js';
import { hostCategory } from '../categories/names.js';
import { ModuleHost } from '../host/module-host.js';
import { createDeferredLogger } from '../logging/logger.js';
import { type CliArgs, UsageError } from './args.js';

type Outcome = { result: unknown } | { error: string };

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { result: await run() };
  } catch (err) {
    return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** The JSON array of arguments given to `--args` (default: none). */
export function parseCallArgs(text: string | undefined): unknown[] {
  if (text === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--args is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value))
    throw new UsageError(
      `--args must be a JSON array of the callback's arguments, e.g. '[{"sender":"@a:b"}]'`,
    );
  return value;
}

const describe = (value: unknown): string =>
  show(value, { depth: 6, breakLength: Infinity, colors: false });

const toJson = (o: Outcome) =>
  'error' in o
    ? o
    : {
        result: JSON.parse(
          JSON.stringify(o.result, (_k, v: unknown) =>
            v === undefined ? null : typeof v === 'symbol' || typeof v === 'bigint' ? String(v) : v,
          ) ?? 'null',
        ) as unknown,
      };

export async function call(args: CliArgs, out: NodeJS.WritableStream): Promise<number> {
  const [category, name, ...extra] = args.positionals;
  if (!category || !name || extra.length > 0)
    throw new UsageError(
      'call needs a category and a callback name: modhost call <category> <name> --args <json>',
    );
  const callArgs = parseCallArgs(args.args);
  const logger = createDeferredLogger({
    level: 'warn',
    destination: process.stderr,
    pretty: false,
  });
  const host = await ModuleHost.fromConfigFile(args.config, {
    instanceName: args.instance,
    logger,
    listen: false,
  });
  try {
    await host.start();
    const entries = host.callbacks.entries(category, name) as readonly CallbackEntry[];
    const combined = await outcome(() =>
      host.callbacks.run(hostCategory(category), name, ...structuredClone(callArgs)),
    );
    const modules: Array<{ module: string } & Outcome> = [];
    for (const entry of entries)
      modules.push({
        module: entry.module,
        ...(await outcome(() => entry.fn(...structuredClone(callArgs)))),
      });
    if (args.json) {
      out.write(
        `${JSON.stringify({ category, name, combined: toJson(combined), modules: modules.map((m) => ({ module: m.module, ...toJson(m) })) }, null, 2)}\n`,
      );
    } else {
      const line = (o: Outcome) => ('error' in o ? `threw ${o.error}` : describe(o.result));
      out.write(`${category}.${name}: ${line(combined)}\n`);
      if (modules.length === 0)
        out.write('  (no module registered it; that is the empty result)\n');
      for (const m of modules) out.write(`  ${m.module}: ${line(m)}\n`);
    }
    return 'error' in combined ? 1 : 0;
  } finally {
    await host.stop();
  }
}
