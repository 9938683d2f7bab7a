/** modhost/decorators: the decorators module authors use. Each only writes metadata. */
import '../src/deps/reflect-metadata.js';

export { Module } from './module.js';
export { Callback } from './callback.js';
export { WebResource } from './web-resource.js';
export { Cached } from './cached.js';
export { Inject } from './inject.js';
export { Injectable } from './injectable.js';
export type { CallbackCategories, CallbackSignature } from './callback-types.js';
export type {
  ModuleOptions,
  ModuleProviderOption,
  ProviderLifecycle,
  WebResourceOptions,
  CachedOptions,
  Duration,
  InjectionToken,
} from './metadata.js';
