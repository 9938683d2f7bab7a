/**
 * The host's own sections: validated, defaults filled in, every problem collected. Works on
 * values parsed from YAML (with a locator) and on objects given to `ModuleHost.create`.
 */
import type { ConfigProblem } from '../errors/index.js';
import {
  expectedFound,
  metricsPortClashMessage,
  missingKeyMessage,
  rootNotMappingMessage,
} from '../errors/config-messages.js';
import {
  type Check,
  baseUrlCheck,
  bindCheck,
  booleanCheck,
  durationCheck,
  enumCheck,
  nameCheck,
  pathPrefixCheck,
  portCheck,
  positiveNumberCheck,
  positiveIntegerCheck,
  checkValue,
  readField,
  readList,
  redisUrlCheck,
  sizeCheck,
  postgresUrlCheck,
  filePathCheck,
} from './field-checks.js';
import { type ConfigSource, ProblemSink, isMapping, readMapping } from './problem-sink.js';
import type {
  CachesConfig,
  ClusterConfig,
  DatabaseConfig,
  HostConfig,
  InstanceConfig,
  MetricsConfig,
  ModuleEntry,
  OnError,
  ServerConfig,
  WatchdogConfig,
} from './types.js';
import type { Class } from '../../decorators/metadata.js';
import { ISOLATION_KEYS, readWorkerSettings } from './isolation-schema.js';

export const TOP_LEVEL_KEYS = [
  'server',
  'instance',
  'cluster',
  'metrics',
  'caches',
  'database',
  'callback_timeout',
  'start_timeout',
  'watchdog',
  'log_level',
  'modules',
] as const;

export const DEFAULT_RESERVED_PREFIXES: readonly string[] = [
  '/_matrix/client',
  '/_matrix/federation',
  '/_matrix/key',
  '/_matrix/media',
  '/_synapse/admin',
  '/_synapse/replication',
];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const ON_ERROR_VALUES: readonly OnError[] = ['fail_closed', 'fail_open'];

const SERVER_KEYS = [
  'bind',
  'port',
  'listen',
  'public_baseurl',
  'max_request_size',
  'headers_timeout',
  'request_timeout',
  'keep_alive_timeout',
  'drain_timeout',
  'reserved_prefixes',
  'handler_timeout',
  'fast_globals',
];
const INSTANCE_KEYS = ['name', 'run_background_tasks'];
const CLUSTER_KEYS = ['redis_url', 'channel', 'lease_ttl', 'stall_timeout'];
const METRICS_KEYS = ['bind', 'port'];
const CACHES_KEYS = ['global_factor', 'per_cache_factors'];
const DATABASE_KEYS = ['path', 'url', 'pool_size', 'query_timeout', 'connect_timeout'];
const WATCHDOG_KEYS = ['enabled', 'blocked_timeout', 'exit'];
const MODULE_KEYS = [
  'module',
  'config',
  'on_error',
  'callback_timeout',
  'start_timeout',
  ...ISOLATION_KEYS,
];

export interface HostConfigSource extends ConfigSource {
  /**
   * Top-level keys accepted and ignored (e.g. `categories`, `providers` of
   * `ModuleHost.create`, which are not configuration values).
   */
  ignoreKeys?: readonly string[];
}

export function validateHostConfig(
  raw: unknown,
  source: HostConfigSource,
): {
  config?: HostConfig;
  problems: ConfigProblem[];
  /** On failure: the module entries that are valid themselves, so they can be checked too. */
  modules?: ModuleEntry[];
} {
  const sink = new ProblemSink(source);
  const root = raw === null || raw === undefined ? {} : raw;
  if (!isMapping(root)) {
    sink.add([], rootNotMappingMessage(root));
    return { problems: sink.problems };
  }
  const top = readMapping(sink, [], root, [...TOP_LEVEL_KEYS, ...(source.ignoreKeys ?? [])])!;

  const server = readServer(sink, top.server);
  const instance = readInstance(sink, top.instance);
  const cluster = readCluster(sink, top.cluster);
  // `auto` (elected through a Redis lease) is the default once there is a Redis to elect with.
  if (instance && instance.run_background_tasks === undefined) {
    instance.run_background_tasks = cluster ? 'auto' : true;
  }
  const metrics = readMetrics(sink, top.metrics, server);
  const caches = readCaches(sink, top.caches);
  const database = readDatabase(sink, top.database);
  const callbackTimeout = readField(
    sink,
    [],
    top,
    'callback_timeout',
    durationCheck({ positive: true }),
    undefined,
  );
  const startTimeout = readField(
    sink,
    [],
    top,
    'start_timeout',
    durationCheck({ positive: true }),
    30_000,
  );
  const watchdog = readWatchdog(sink, top.watchdog);
  const logLevel = readField(sink, [], top, 'log_level', enumCheck(LOG_LEVELS), 'info');
  const modules = readModules(
    sink,
    top.modules,
    source.file !== undefined || source.locate !== undefined,
  );

  if (sink.count > 0) return { problems: sink.sorted(), modules };
  const config: HostConfig = {
    ...(source.file !== undefined ? { file: source.file } : {}),
    server: server!,
    instance: instance!,
    ...(cluster ? { cluster } : {}),
    ...(metrics ? { metrics } : {}),
    caches: caches!,
    database: database!,
    ...(callbackTimeout !== undefined ? { callback_timeout: callbackTimeout } : {}),
    start_timeout: startTimeout,
    watchdog: watchdog!,
    log_level: logLevel,
    modules,
  };
  return { config, problems: [] };
}

function readServer(sink: ProblemSink, value: unknown): ServerConfig | undefined {
  const path = ['server'];
  const m = readMapping(sink, path, value, SERVER_KEYS);
  if (!m) return undefined;
  const port = readField(sink, path, m, 'port', portCheck, 8008);
  return {
    bind: readField(sink, path, m, 'bind', bindCheck, '127.0.0.1'),
    port,
    listen: readField(sink, path, m, 'listen', booleanCheck, true),
    public_baseurl: readField(
      sink,
      path,
      m,
      'public_baseurl',
      baseUrlCheck,
      `http://localhost:${port}/`,
    ),
    max_request_size: readField(sink, path, m, 'max_request_size', sizeCheck, 10 * 1024 * 1024),
    headers_timeout: readField(
      sink,
      path,
      m,
      'headers_timeout',
      durationCheck({ positive: true }),
      10_000,
    ),
    request_timeout: readField(
      sink,
      path,
      m,
      'request_timeout',
      durationCheck({ positive: true }),
      60_000,
    ),
    keep_alive_timeout: readField(sink, path, m, 'keep_alive_timeout', durationCheck(), 5_000),
    drain_timeout: readField(sink, path, m, 'drain_timeout', durationCheck(), 10_000),
    handler_timeout: readField(sink, path, m, 'handler_timeout', durationCheck(), 30_000),
    reserved_prefixes: readList(sink, path, m, 'reserved_prefixes', pathPrefixCheck, [
      ...DEFAULT_RESERVED_PREFIXES,
    ]),
    fast_globals: readField(sink, path, m, 'fast_globals', booleanCheck, true),
  };
}

/** `true`, `false`, or `auto` (elected through the Redis lease). */
const backgroundTasksCheck: Check<boolean | 'auto'> = {
  expected: 'true, false or auto',
  parse: (v) => (typeof v === 'boolean' || v === 'auto' ? v : undefined),
  hint: booleanCheck.hint,
};

/** Renewed every third of it: below 300 ms a busy event loop would lose the lease by itself. */
const leaseTtlCheck: Check<number> = {
  expected: 'a duration of at least 300ms, such as 5s',
  parse: (v) => {
    const ms = durationCheck({ positive: true }).parse(v);
    return ms !== undefined && ms >= 300 ? ms : undefined;
  },
};

function readInstance(sink: ProblemSink, value: unknown): InstanceConfig | undefined {
  const path = ['instance'];
  const m = readMapping(sink, path, value, INSTANCE_KEYS);
  if (!m) return undefined;
  return {
    name: readField(sink, path, m, 'name', nameCheck, 'main'),
    run_background_tasks: readField(
      sink,
      path,
      m,
      'run_background_tasks',
      backgroundTasksCheck,
      undefined as unknown as boolean | 'auto',
    ),
  };
}

/** Absent (or null) means a single instance without Redis. */
function readCluster(sink: ProblemSink, value: unknown): ClusterConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const path = ['cluster'];
  const m = readMapping(sink, path, value, CLUSTER_KEYS);
  if (!m) return undefined;
  if (m.redis_url === undefined || m.redis_url === null) {
    sink.add([...path, 'redis_url'], missingKeyMessage('redis_url', redisUrlCheck.expected));
  }
  return {
    redis_url: readField(sink, path, m, 'redis_url', redisUrlCheck, ''),
    channel: readField(sink, path, m, 'channel', nameCheck, 'modhost'),
    lease_ttl: readField(sink, path, m, 'lease_ttl', leaseTtlCheck, 5_000),
    stall_timeout: readField(
      sink,
      path,
      m,
      'stall_timeout',
      durationCheck({ positive: true }),
      500,
    ),
  };
}

/** Absent (or null) means no metrics listener. */
function readMetrics(
  sink: ProblemSink,
  value: unknown,
  server: ServerConfig | undefined,
): MetricsConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const path = ['metrics'];
  const m = readMapping(sink, path, value, METRICS_KEYS);
  if (!m) return undefined;
  const metrics = {
    bind: readField(sink, path, m, 'bind', bindCheck, '127.0.0.1'),
    port: readField(sink, path, m, 'port', portCheck, 9090),
  };
  if (server && metrics.port !== 0 && metrics.port === server.port && server.listen) {
    sink.add([...path, 'port'], metricsPortClashMessage(metrics.port));
  }
  return metrics;
}

function readWatchdog(sink: ProblemSink, value: unknown): WatchdogConfig | undefined {
  const path = ['watchdog'];
  const m = readMapping(sink, path, value, WATCHDOG_KEYS);
  if (!m) return undefined;
  return {
    enabled: readField(sink, path, m, 'enabled', booleanCheck, true),
    blocked_timeout: readField(
      sink,
      path,
      m,
      'blocked_timeout',
      durationCheck({ positive: true }),
      10_000,
    ),
    exit: readField(sink, path, m, 'exit', booleanCheck, true),
  };
}

function readCaches(sink: ProblemSink, value: unknown): CachesConfig | undefined {
  const path = ['caches'];
  const m = readMapping(sink, path, value, CACHES_KEYS);
  if (!m) return undefined;
  const global_factor = readField(sink, path, m, 'global_factor', positiveNumberCheck, 1.0);
  const factorEntries: [string, number][] = [];
  const factorsPath = [...path, 'per_cache_factors'];
  const factors = readMapping(
    sink,
    factorsPath,
    m.per_cache_factors,
    'any',
    'a mapping of cache names to positive numbers',
  );
  for (const [name, factor] of Object.entries(factors ?? {})) {
    const parsed = checkValue(sink, [...factorsPath, name], factor, positiveNumberCheck);
    if (parsed !== undefined) factorEntries.push([name, parsed]);
  }
  // fromEntries defines own properties, so a cache named __proto__ cannot touch the prototype.
  return { global_factor, per_cache_factors: Object.fromEntries(factorEntries) };
}

/** Absent: the embedded engine under `./data` beside the config file. */
function readDatabase(sink: ProblemSink, value: unknown): DatabaseConfig | undefined {
  const path = ['database'];
  const m = readMapping(sink, path, value, DATABASE_KEYS);
  if (!m) return undefined;
  const url = readField(sink, path, m, 'url', postgresUrlCheck, undefined);
  return {
    path: readField(sink, path, m, 'path', filePathCheck, './data'),
    ...(url !== undefined ? { url } : {}),
    pool_size: readField(sink, path, m, 'pool_size', positiveIntegerCheck, 10),
    query_timeout: readField(
      sink,
      path,
      m,
      'query_timeout',
      durationCheck({ positive: true }),
      30_000,
    ),
    connect_timeout: readField(
      sink,
      path,
      m,
      'connect_timeout',
      durationCheck({ positive: true }),
      5_000,
    ),
  };
}

function readModules(sink: ProblemSink, value: unknown, fromFile: boolean): ModuleEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    sink.add(
      ['modules'],
      expectedFound('a list of module entries (- module: ...)', value, ['modules']),
    );
    return [];
  }
  const entries: ModuleEntry[] = [];
  value.forEach((item: unknown, index) => {
    const before = sink.count;
    const entry = readModuleEntry(sink, item, index, fromFile);
    if (entry && sink.count === before) entries.push(entry);
  });
  return entries;
}

const moduleSpecCheck = (fromFile: boolean): Check<string | Class> => ({
  expected: fromFile
    ? "a module spec string such as './modules/antispam.js#Antispam' or 'package#Class'"
    : "a module class or a spec string such as './modules/antispam.js#Antispam'",
  parse: (v) => {
    if (typeof v === 'string') return v.trim() !== '' ? v : undefined;
    if (!fromFile && typeof v === 'function') return v as Class;
    return undefined;
  },
});

function readModuleEntry(
  sink: ProblemSink,
  item: unknown,
  index: number,
  fromFile: boolean,
): ModuleEntry | undefined {
  const path = ['modules', index];
  if (!isMapping(item)) {
    sink.add(path, expectedFound('a mapping with a module: key', item, path));
    return undefined;
  }
  const m = readMapping(sink, path, item, MODULE_KEYS)!;
  const check = moduleSpecCheck(fromFile);
  if (m.module === undefined || m.module === null) {
    sink.add([...path, 'module'], missingKeyMessage('module', check.expected));
  }
  const module = readField(sink, path, m, 'module', check, undefined);
  const on_error = readField(sink, path, m, 'on_error', enumCheck(ON_ERROR_VALUES), undefined);
  const callback_timeout = readField(
    sink,
    path,
    m,
    'callback_timeout',
    durationCheck({ positive: true }),
    undefined,
  );
  const start_timeout = readField(
    sink,
    path,
    m,
    'start_timeout',
    durationCheck({ positive: true }),
    undefined,
  );
  const worker = readWorkerSettings(sink, path, m);
  if (module === undefined) return undefined;
  return {
    index,
    module,
    config: m.config ?? {},
    ...(on_error !== undefined ? { on_error } : {}),
    ...(callback_timeout !== undefined ? { callback_timeout } : {}),
    ...(start_timeout !== undefined ? { start_timeout } : {}),
    ...(worker !== undefined ? { worker } : {}),
  };
}
