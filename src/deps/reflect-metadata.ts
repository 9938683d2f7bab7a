/**
 * Installs the reflect-metadata polyfill (`Reflect.getMetadata`…), as `import 'reflect-metadata'`
 * does, without the ESM lexing of its 60 KB source. Import it for its side effect, first.
 */
import { requireCjs } from './cjs.js';

requireCjs('reflect-metadata');
