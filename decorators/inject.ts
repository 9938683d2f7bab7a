import { type InjectionToken, writeInjectToken } from './metadata.js';

/**
 * Injects the value registered under `token` into a constructor parameter, for parameters
 * whose type cannot serve as the token (interfaces, `MODULE_CONFIG`, strings and symbols).
 */
export function Inject(token: InjectionToken): ParameterDecorator {
  return (target, _member, index) => {
    writeInjectToken(target as Function, index, token);
  };
}
