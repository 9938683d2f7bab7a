/** yaml's values the config reader uses. */
import type * as Yaml from 'yaml';
import { requireCjs } from './cjs.js';

const yaml = requireCjs('yaml') as typeof Yaml;

export const { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } = yaml;
