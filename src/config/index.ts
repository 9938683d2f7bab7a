/** The configuration stage: YAML with positions, the host schema, module configs, units. */
export { parseYamlSource, MAX_ALIAS_EXPANSION, type YamlSource } from './yaml-source.js';
export {
  validateHostConfig,
  type HostConfigSource,
  DEFAULT_RESERVED_PREFIXES,
  LOG_LEVELS,
  ON_ERROR_VALUES,
  TOP_LEVEL_KEYS,
} from './host-schema.js';
export { validateModuleConfig, type ModuleClassWithParse } from './module-config.js';
export { readConfigFile } from './load-file.js';
export type { ConfigSource } from './problem-sink.js';
export * from './units.js';
export type * from './types.js';
