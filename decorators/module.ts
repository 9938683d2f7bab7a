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
    const { name, config } = options;
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
    writeModule(target, {
      name: typeof name === 'string' && name.trim() !== '' ? name : target.name,
      config: typeof config === 'function' ? config : undefined,
    });
  };
}
