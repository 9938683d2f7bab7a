/**
 * class-validator and class-transformer, imported on first use: a host whose modules have no
 * config class never pays for them (together they are about a third of modhost's import cost).
 *
 * On first load, class-validator's metadata lookup is also made proportional to the class's own
 * rules. Its `getTargetValidationMetadatas` finds inherited rules by testing
 * `target.prototype instanceof key` against every class in the whole metadata store, so each
 * validation costs time proportional to the number of config classes loaded: with thousands of
 * modules, validating them all is quadratic. Here the same lookup is given a store holding only
 * the classes on the target's prototype chain, which is all that test can ever select; what it
 * returns is otherwise computed by class-validator's own code, unchanged.
 */
import type { MetadataStorage } from 'class-validator';
import { requireCjs } from '../deps/cjs.js';

type ClassValidator = typeof import('class-validator');
type ClassTransformer = typeof import('class-transformer');

export interface ClassValidation {
  validate: ClassValidator['validate'];
  plainToInstance: ClassTransformer['plainToInstance'];
  storage: MetadataStorage;
}

let loading: Promise<ClassValidation> | undefined;

export function classValidation(): Promise<ClassValidation> {
  loading ??= (async () => {
    // Through `require`, as src/deps loads its CommonJS packages: an `import` first lexes their
    // sources (every file they re-export) for export names. Neither has an `import` condition, so
    // these are the very module objects a module's own `import 'class-validator'` reaches.
    const validator = requireCjs('class-validator') as ClassValidator;
    const transformer = requireCjs('class-transformer') as ClassTransformer;
    const storage = validator.getMetadataStorage();
    indexByPrototypeChain(storage);
    return { validate: validator.validate, plainToInstance: transformer.plainToInstance, storage };
  })();
  return loading;
}

type Lookup = MetadataStorage['getTargetValidationMetadatas'];
const PATCHED = Symbol.for('modhost.class-validator.prototype-chain-lookup');

interface Store {
  validationMetadatas: Map<unknown, unknown[]>;
  [PATCHED]?: true;
}

function indexByPrototypeChain(storage: MetadataStorage): void {
  const store = storage as unknown as Store;
  // Another copy of modhost in the process may have done it already (the storage is global).
  if (store[PATCHED] || !(store.validationMetadatas instanceof Map)) return;
  const original: Lookup = storage.getTargetValidationMetadatas;
  const lookup: Lookup = function (this: Store, target, schema, ...rest) {
    if (typeof target !== 'function' || !target.prototype) {
      return original.call(this as unknown as MetadataStorage, target, schema, ...rest);
    }
    const all = this.validationMetadatas;
    const chain = new Map<unknown, unknown[]>();
    const own = all.get(target);
    if (own) chain.set(target, own);
    // `target.prototype instanceof key` holds exactly for the keys whose prototype is on this chain.
    for (
      let proto = Object.getPrototypeOf(target.prototype) as object | null;
      proto;
      proto = Object.getPrototypeOf(proto) as object | null
    ) {
      const ctor = (proto as { constructor?: unknown }).constructor;
      const rules =
        typeof ctor === 'function' && ctor.prototype === proto ? all.get(ctor) : undefined;
      if (rules) chain.set(ctor, rules);
    }
    const view = Object.create(this, { validationMetadatas: { value: chain } }) as MetadataStorage;
    return original.call(view, target, schema, ...rest);
  };
  storage.getTargetValidationMetadatas = lookup;
  store[PATCHED] = true;
}
