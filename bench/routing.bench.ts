/**
 * Routing benchmark (DESIGN.md: route lookup at or below find-my-way's cost at 10 / 1k / 10k
 * routes; a 404 for a 14 KB path of 7,000 segments within 3× a short 404).
 *
 * 1. Lookups: for N routes of each kind (exact `/m<i>/status`, prefix `/m<i>/files`, parameter
 *    `/m<i>/rooms/:room_id/state/:event_type`, all under /_synapse/client), the same routes in
 *    find-my-way 9 (the prefix as `/files` plus `/files/*`). Each side gets the same path strings,
 *    built afresh for every call as a request's are (flat strings decoded from bytes, so no hash
 *    is cached from a previous lookup), cycling over 256 modules spread over the registry.
 *    - modhost's side is what the server does to find the handler: the query split of
 *      request-target.ts, then `Dispatcher.route`'s `registry.route` of the raw path (the
 *      plain-path check for `%`, backslashes, `//` and `/.`, exact, parameter and prefix lookup,
 *      the params object, and the method's handler; not the 404/405 answer it then builds).
 *    - find-my-way's budget side does the same job: `find(method, path)` (its sanitiser's native
 *      scans for `%`, `?` and `#`, its decoding of `%` escapes, its lookup, params and result
 *      object) preceded by the check a find-my-way server needs to route as DESIGN.md says
 *      ("dot segments never reach a resource they would not reach written plainly"), which
 *      find-my-way does not do: whether the path has a backslash, an empty segment or a dot
 *      segment, else normalising it first (normalisePath, as modhost). The check is the
 *      cheapest of three ways counted with callgrind (`indexOf('\\')` and `/\/[/.]/`: 530
 *      instructions on `/_synapse/client/m0/nothing/here`, against 620 for one expression and
 *      940 for three `includes`), and is charged for `%` paths only through find-my-way's own
 *      decoding (it would also need normalising after it: left uncharged).
 *    - Bare `find(method, path)` (no normalisation check, so not the same job) is timed too and
 *      printed beside each line, so nothing is hidden by the charge.
 *    Both sides take the same raw path, which needs no decoding. Interleaved rounds,
 *    alternating order; medians of per-round ratios.
 * 2. Long path: see routing/long-path.ts (HTTP, server CPU per request).
 *
 * Env: ROUTING_BENCH_ROUNDS (default 9), ROUTING_BENCH_MS per task per round (default 100),
 * ROUTING_BENCH_SIZES (default 10,1000,10000), ROUTING_BENCH_LONG=0 to skip the long path.
 */
import FindMyWay from 'find-my-way';
import { Bench } from 'tinybench';
import { DEFAULT_RESERVED_PREFIXES } from '../src/config/host-schema.js';
import { createLogger } from '../src/logging/logger.js';
import { normalisePath } from '../src/web/path.js';
import { WebRegistry } from '../src/web/registry.js';
import { withoutQuery } from '../src/web/request-target.js';
import { Target } from '../src/web/resource.js';
import { median, printRatio } from './cache/report.js';
import { measureLongPath } from './routing/long-path.js';

const ROUNDS = Number(process.env.ROUTING_BENCH_ROUNDS ?? 9);
const TIME = Number(process.env.ROUTING_BENCH_MS ?? 100);
const SIZES = (process.env.ROUTING_BENCH_SIZES ?? '10,1000,10000').split(',').map(Number);
const CALLS = 256;
const base = (i: number) => `/_synapse/client/m${i}`;

type Kind = 'exact' | 'prefix' | 'parameter' | '404';
const TAILS: Record<Kind, string> = {
  exact: '/status',
  prefix: '/files/a/b/c/d/e/f/g/h/i/j',
  parameter: '/rooms/!abcdef:example.org/state/m.room.power_levels',
  '404': '/nothing/here',
};

function build(n: number) {
  const handler = () => new Response('ok');
  const registry = new WebRegistry({
    reservedPrefixes: DEFAULT_RESERVED_PREFIXES,
    logger: createLogger({ level: 'silent', pretty: false }),
  });
  const fmw = FindMyWay({ ignoreTrailingSlash: false });
  const owner = { name: 'bench', index: 0 };
  for (let i = 0; i < n; i++) {
    registry.register(owner, `${base(i)}/status`, handler, { methods: ['GET'] });
    registry.register(owner, `${base(i)}/files`, handler, { methods: ['GET'], prefix: true });
    registry.register(owner, `${base(i)}/rooms/:room_id/state/:event_type`, handler, {
      methods: ['GET'],
    });
    fmw.on('GET', `${base(i)}/status`, handler);
    fmw.on('GET', `${base(i)}/files`, handler);
    fmw.on('GET', `${base(i)}/files/*`, handler);
    fmw.on('GET', `${base(i)}/rooms/:room_id/state/:event_type`, handler);
  }
  registry.close();
  /**
   * The server's lookup: the query split of request-target.ts (find-my-way's `find` does its
   * own), then `Dispatcher.route`'s, up to the handler for the method.
   */
  const route = (method: string, target: string): Target | undefined => {
    const raw = withoutQuery(target);
    if (raw.charCodeAt(0) !== 0x2f) return undefined;
    const found = registry.route(method, raw);
    return found instanceof Target ? found : undefined;
  };
  /**
   * find-my-way doing the same job (see the header): paths with a backslash, "//" or "/." are
   * normalised before `find`, as modhost's are before its lookup.
   */
  const find = (method: FindMyWay.HTTPMethod, path: string) => {
    EMPTY_OR_DOT.lastIndex = 0;
    if (path.indexOf('\\') === -1 && !EMPTY_OR_DOT.test(path)) return fmw.find(method, path);
    const normal = normalisePath(path);
    return normal === undefined ? null : fmw.find(method, normal);
  };
  return { route, fmw, find };
}

/** An empty or dot segment ("//" or "/."), searched from `lastIndex`. */
const EMPTY_OR_DOT = /\/[/.]/g;

/** The paths as bytes, one per module cycled through, spread over the registry. */
function paths(n: number, tail: string): Buffer[] {
  return Array.from({ length: CALLS }, (_, k) =>
    Buffer.from(base(Math.floor((k * n) / CALLS)) + tail, 'latin1'),
  );
}

let sink: unknown;

async function lookups(n: number): Promise<void> {
  const { route, fmw, find } = build(n);
  const tasks: Record<string, () => void> = {};
  for (const kind of Object.keys(TAILS) as Kind[]) {
    const bytes = paths(n, TAILS[kind]);
    // Same answers on both sides before timing anything.
    for (const b of [bytes[0]!, bytes[CALLS - 1]!]) {
      const path = b.toString('latin1');
      const ours = route('GET', path);
      const theirs = find('GET', path);
      if ((fmw.find('GET', path) === null) !== (theirs === null))
        throw new Error(`${kind}: the normalisation check changed find-my-way's answer`);
      if ((ours !== undefined) !== (kind !== '404') || (theirs !== null) !== (ours !== undefined))
        throw new Error(`${kind}: modhost and find-my-way disagree on ${path}`);
      if (kind === 'parameter' && ours!.params.room_id !== theirs!.params.room_id)
        throw new Error(`parameter values differ for ${path}`);
    }
    tasks[`modhost ${kind}`] = () => {
      for (let k = 0; k < CALLS; k++) {
        const b = bytes[k]!;
        sink = route('GET', b.toString('latin1'));
      }
    };
    tasks[`find-my-way ${kind}`] = () => {
      for (let k = 0; k < CALLS; k++) {
        const b = bytes[k]!;
        sink = find('GET', b.toString('latin1'));
      }
    };
    tasks[`bare find-my-way ${kind}`] = () => {
      for (let k = 0; k < CALLS; k++) {
        const b = bytes[k]!;
        sink = fmw.find('GET', b.toString('latin1'));
      }
    };
  }
  const perRound: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME, warmupTime: 30 });
    const names = Object.keys(tasks);
    if (round % 2) names.reverse();
    for (const name of names) bench.add(name, tasks[name]!);
    await bench.run();
    for (const name of names) {
      const r = bench.getTask(name)!.result;
      if (r.state !== 'completed') throw new Error(`${name}: ${r.state}`);
      (perRound[name] ??= []).push((r.latency.mean / CALLS) * 1e6);
    }
  }
  for (const kind of Object.keys(TAILS) as Kind[]) {
    const ours = perRound[`modhost ${kind}`]!;
    const theirs = perRound[`find-my-way ${kind}`]!;
    const bare = perRound[`bare find-my-way ${kind}`]!;
    const ratio = median(ours.map((v, i) => v / theirs[i]!));
    const bareRatio = median(ours.map((v, i) => v / bare[i]!));
    printRatio(
      `routing: ${kind} lookup, ${n} routes of each kind, vs find-my-way`,
      ratio,
      1.0,
      `${median(ours).toFixed(0)} ns vs ${median(theirs).toFixed(0)} ns; ` +
        `bare find() ${median(bare).toFixed(0)} ns (${bareRatio.toFixed(3)}x)`,
    );
  }
}

for (const n of SIZES) await lookups(n);
if (process.env.ROUTING_BENCH_LONG !== '0') await measureLongPath();
void sink;
process.exit(0);
