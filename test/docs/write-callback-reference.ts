/** Writes docs/callbacks.md: `npm run build && node dist/test/docs/write-callback-reference.js`. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synapseCategories } from '../../src/categories/index.js';
import { readSignatures, renderCallbackReference } from './callback-reference.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const signatures = readSignatures(path.join(repoRoot, 'src/categories/synapse/signatures.ts'));
const target = path.join(repoRoot, 'docs/callbacks.md');
writeFileSync(target, renderCallbackReference(synapseCategories, signatures));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
