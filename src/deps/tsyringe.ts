/** tsyringe's values modhost uses; the polyfill it needs is installed first. */
import type * as Tsyringe from 'tsyringe';
import { requireCjs } from './cjs.js';

// In this file rather than only through `import './reflect-metadata.js'`: a bundler that splits
// chunks (build/bundle.ts) may not run a bare side-effect import first, and tsyringe throws at
// load without the polyfill. `require` runs it once however often it is asked.
requireCjs('reflect-metadata');
const tsyringe = requireCjs('tsyringe') as typeof Tsyringe;

export const { container, instanceCachingFactory, Lifecycle } = tsyringe;
