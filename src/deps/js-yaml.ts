/** js-yaml's values the config reader's fast path uses (src/config/yaml-fast.ts). */
import type * as JsYaml from 'js-yaml';
import { requireCjs } from './cjs.js';

const jsYaml = requireCjs('js-yaml') as typeof JsYaml;

export const { load, FAILSAFE_SCHEMA, Type } = jsYaml;
