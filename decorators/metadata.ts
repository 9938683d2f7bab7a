/**
 * Metadata written by the public decorators and read back by the host's scanner.
 * Decorators only ever call the writers here; they never reach into the host.
 * Everything is stored on the class constructor, so subclasses inherit it.
 */
import '../src/deps/reflect-metadata.js';

export type Class<T = object> = new (...args: any[]) => T;
export type InjectionToken = string | symbol | Class;

/**
 * tsyringe's lifetimes (`Lifecycle` from tsyringe): 0 Transient, 1 Singleton, 2 ResolutionScoped,
 * 3 ContainerScoped. A module's class provider is one instance per module unless it says otherwise.
 */
export type ProviderLifecycle = 0 | 1 | 2 | 3;

/** What `@Module({ providers })` accepts: a class, or a provider object as in NestJS. */
export type ModuleProviderOption =
  | Class
  | { provide: InjectionToken; useValue: unknown }
  | { provide: InjectionToken; useClass: Class; lifecycle?: ProviderLifecycle }
  | { provide: InjectionToken; useFactory: (container: any) => unknown };

export interface ModuleOptions {
  /** The module's name; defaults to the class name. */
  name?: string;
  /** A class whose class-validator rules validate the module's `config:` mapping. */
  config?: Class;
  /** Services of the module's own, built in its container and disposed when it stops. */
  providers?: readonly ModuleProviderOption[];
  /** Tokens of `providers` that modules listed after this one may inject. */
  exports?: readonly InjectionToken[];
}

export interface ModuleMetadata {
  name: string;
  config?: Class;
  providers?: readonly unknown[];
  exports?: readonly unknown[];
}

export interface CallbackMetadata {
  category: string;
  name: string;
  member: string | symbol;
}

export interface WebResourceOptions {
  /** Allowed methods (upper case); HEAD is implied by GET. All methods when absent. */
  methods?: string[];
  /** Serve every path below `path` too, longest prefix first. */
  prefix?: boolean;
}

export interface WebResourceMetadata {
  path: string;
  options: WebResourceOptions;
  member: string | symbol;
}

export type Duration = number | string;

export interface CachedOptions {
  /** Maximum entries (scaled by `caches.global_factor`); default 1000. */
  maxEntries?: number;
  /** How many leading arguments form the key; default: the declared parameters. */
  numArgs?: number;
  /** Store keys as a tree so a shorter key invalidates every entry below it. */
  tree?: boolean;
  /** An entry's size is the length (or size) of its value. */
  iterable?: boolean;
  /** Entries expire this long after they were stored: ms or '500ms', '5m'. */
  ttl?: Duration;
  /** The cache's name; defaults to the method name. */
  name?: string;
  /** Builds the key from the arguments, for argument types that cannot be keys as they are. */
  key?: (...args: any[]) => unknown[];
}

export interface CachedMetadata {
  member: string | symbol;
  options: CachedOptions;
}

/** A decorator applied wrongly; the scanner turns each into a load error naming the member. */
export interface DecoratorMisuse {
  decorator: string;
  member?: string | symbol;
  problem: string;
}

const KEYS = {
  module: Symbol.for('modhost:module'),
  callbacks: Symbol.for('modhost:callbacks'),
  webResources: Symbol.for('modhost:web-resources'),
  cached: Symbol.for('modhost:cached'),
  inject: Symbol.for('modhost:inject'),
  misuse: Symbol.for('modhost:misuse'),
} as const;

/** The class a member decorator was applied to (prototype for instance members). */
export function ownerClass(target: object): Function {
  return typeof target === 'function' ? target : (target.constructor as Function);
}

function appendList<T>(key: symbol, cls: Function, entry: T): void {
  const list = (Reflect.getMetadata(key, cls) as T[] | undefined) ?? [];
  Reflect.defineMetadata(key, [...list, entry], cls);
}

function readList<T>(key: symbol, cls: Function): readonly T[] {
  return (Reflect.getMetadata(key, cls) as T[] | undefined) ?? [];
}

export function writeModule(cls: Function, meta: ModuleMetadata): void {
  Reflect.defineMetadata(KEYS.module, meta, cls);
}
export function writeCallback(cls: Function, meta: CallbackMetadata): void {
  appendList(KEYS.callbacks, cls, meta);
}
export function writeWebResource(cls: Function, meta: WebResourceMetadata): void {
  appendList(KEYS.webResources, cls, meta);
}
export function writeCached(cls: Function, meta: CachedMetadata): void {
  appendList(KEYS.cached, cls, meta);
}
export function writeInjectToken(cls: Function, index: number, token: InjectionToken): void {
  const tokens = new Map<number, InjectionToken>(
    (Reflect.getOwnMetadata(KEYS.inject, cls) as Map<number, InjectionToken> | undefined) ?? [],
  );
  tokens.set(index, token);
  Reflect.defineMetadata(KEYS.inject, tokens, cls);
}
export function writeMisuse(cls: Function, misuse: DecoratorMisuse): void {
  appendList(KEYS.misuse, cls, misuse);
}

/** Module metadata written by `@Module` on this very class (not inherited). */
export function readModule(cls: Function): ModuleMetadata | undefined {
  return Reflect.getOwnMetadata(KEYS.module, cls) as ModuleMetadata | undefined;
}
export function readCallbacks(cls: Function): readonly CallbackMetadata[] {
  return readList(KEYS.callbacks, cls);
}
export function readWebResources(cls: Function): readonly WebResourceMetadata[] {
  return readList(KEYS.webResources, cls);
}
export function readCached(cls: Function): readonly CachedMetadata[] {
  return readList(KEYS.cached, cls);
}
export function readInjectTokens(cls: Function): ReadonlyMap<number, InjectionToken> {
  return (Reflect.getOwnMetadata(KEYS.inject, cls) as Map<number, InjectionToken>) ?? new Map();
}
export function readMisuses(cls: Function): readonly DecoratorMisuse[] {
  return readList(KEYS.misuse, cls);
}
/** Constructor parameter types emitted by tsc's `emitDecoratorMetadata` (inherited when the class declares no constructor). */
export function readParamTypes(cls: Function): readonly unknown[] | undefined {
  return Reflect.getMetadata('design:paramtypes', cls) as unknown[] | undefined;
}
