import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synapseCategories } from '../../src/categories/index.js';
import { CALLBACK_NOTES, CATEGORY_INTROS } from './callback-notes.js';
import { readSignatures, renderCallbackReference } from './callback-reference.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const signatures = readSignatures(path.join(repoRoot, 'src/categories/synapse/signatures.ts'));

describe('docs/callbacks.md', () => {
  it('equals what the category definitions generate (run dist/test/docs/write-callback-reference.js)', () => {
    const committed = readFileSync(path.join(repoRoot, 'docs/callbacks.md'), 'utf8');
    expect(committed).to.equal(renderCallbackReference(synapseCategories, signatures));
  });

  it('has a note for every callback and no note for a callback that does not exist', () => {
    const defined = synapseCategories.flatMap((c) =>
      Object.keys(c.callbacks).map((n) => `${c.name}.${n}`),
    );
    expect(Object.keys(CALLBACK_NOTES).sort()).to.deep.equal([...defined].sort());
    expect(Object.keys(CATEGORY_INTROS).sort()).to.deep.equal(
      synapseCategories.map((c) => c.name).sort(),
    );
  });

  it('has a signature for every registrable callback and none for unknown ones', () => {
    for (const category of synapseCategories) {
      const sigs = signatures.get(category.name);
      expect(sigs, category.name).to.not.equal(undefined);
      const registrable = Object.entries(category.callbacks)
        .filter(([, spec]) => !spec.internal)
        .map(([name]) => name);
      expect([...sigs!.keys()].sort(), category.name).to.deep.equal(registrable.sort());
    }
  });

  it('states an argument rule for every parameter of every built-in callback', () => {
    for (const category of synapseCategories)
      for (const [name, spec] of Object.entries(category.callbacks)) {
        const sig = signatures.get(category.name)?.get(name);
        if (spec.internal || spec.accept) continue;
        expect(spec.args?.length, `${category.name}.${name}`).to.equal(sig!.params.length);
      }
  });
});
