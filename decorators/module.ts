import { type ModuleOptions, writeModule } from './metadata.js';
import { describeType, misuse } from './checks.js';

/** Marks a class as a modhost module. Only writes metadata; the host reads it at load. */
export function Module(options: ModuleOptions = {}): ClassDecorator {
  return (target) => {
    if (typeof options !== 'object' || options === null) {
      misuse(target, {
        decorator: '@Module',
        problem: `options must be an object, got ${describeType(options)}`,
      });
      options = {};
    }
    const { name, config, providers, exports } = options;
    if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
      misuse(target, {
        decorator: '@Module',
        problem: `name must be a non-empty string, got ${describeType(name)}`,
      });
    }
    if (config !== undefined && typeof config !== 'function') {
      misuse(target, {
        decorator: '@Module',
        problem: `config must be a class, got ${describeType(config)}`,
      });
    }
    for (const [key, list] of [
      ['providers', providers],
      ['exports', exports],
    ] as const) {
      if (list !== undefined && !Array.isArray(list)) {
        misuse(target, {
          decorator: '@Module',
          problem: `${key} must be an array, got ${describeType(list)}`,
        });
      }
    }
    writeModule(target, {
      name: typeof name === 'string' && name.trim() !== '' ? name : target.name,
      config: typeof config === 'function' ? config : undefined,
      // Shapes are checked by the scanner, which names the module and the provider.
      providers: Array.isArray(providers) ? [...providers] : undefined,
      exports: Array.isArray(exports) ? [...exports] : undefined,
    });
  };
}
