/** tsyringe's values modhost uses; the polyfill it needs is installed first. */
import './reflect-metadata.js';
import type * as Tsyringe from 'tsyringe';
import { requireCjs } from './cjs.js';

const tsyringe = requireCjs('tsyringe') as typeof Tsyringe;

export const { container, instanceCachingFactory, Lifecycle } = tsyringe;
