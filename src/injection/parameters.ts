/**
 * What each constructor parameter of a class asks for, read from three sources in order of
 * precedence: modhost's `@Inject(token)`, tsyringe's own parameter decorators, and the type tsc
 * emitted (`design:paramtypes`). Used for modules and for their providers alike.
 *
 * tsyringe (4.x, `reflection-helpers.ts`) stores, under the `injectionTokens` metadata key, a
 * record from parameter index to one of:
 * - `@inject(t, { isOptional })`         → `{ token, multiple: false, isOptional }`
 * - `@injectAll(t, { isOptional })`      → `{ token, multiple: true, isOptional }`
 * - `@injectWithTransform(t, T, ...a)`   → `{ token, transform: T, transformArgs: a }`
 * - `@injectAllWithTransform(t, T, ...a)`→ `{ token, multiple: true, transform: T, transformArgs: a }`
 * Reading the descriptor as if it were the token is what made `@inject(TOKEN)` fail with
 * `nothing provides {"multiple":false}`.
 */
import {
  type Class,
  type InjectionToken,
  readInjectTokens,
  readParamTypes,
} from '../../decorators/metadata.js';

/** tsyringe's metadata key for its parameter decorators. */
const TSYRINGE_INJECTION_TOKENS = 'injectionTokens';

export interface ParameterSpec {
  index: number;
  /** The token to resolve (undefined when the type is unknown at run time). */
  token: InjectionToken | undefined;
  /** Named by a decorator rather than taken from the emitted type. */
  explicit: boolean;
  /** `@injectAll`: every registration of the token, as an array. */
  multiple?: boolean;
  /** tsyringe's `isOptional`: an unregistered string/symbol token gives undefined (or []). */
  optional?: boolean;
  /** `@inject…WithTransform`: resolve this transformer and pass the value through `transform`. */
  transform?: { transformer: InjectionToken; args: readonly unknown[] };
}

interface TsyringeDescriptor {
  token: InjectionToken;
  multiple?: boolean;
  isOptional?: boolean;
  transform?: InjectionToken;
  transformArgs?: unknown[];
}

function isDescriptor(value: unknown): value is TsyringeDescriptor {
  return (
    typeof value === 'object' &&
    value !== null &&
    'token' in value &&
    ('multiple' in value || 'transform' in value)
  );
}

function fromTsyringe(index: number, value: unknown): ParameterSpec {
  if (!isDescriptor(value)) return { index, token: value as InjectionToken, explicit: true };
  const spec: ParameterSpec = { index, token: value.token, explicit: true };
  if (value.multiple) spec.multiple = true;
  if (value.isOptional) spec.optional = true;
  if (value.transform !== undefined)
    spec.transform = { transformer: value.transform, args: value.transformArgs ?? [] };
  return spec;
}

export interface ConstructorParameters {
  parameters: ParameterSpec[];
  /** Some parameter has neither a decorator nor an emitted type (the class was not built by tsc). */
  missingMetadata: boolean;
}

export function readConstructorParameters(cls: Class): ConstructorParameters {
  const own = readInjectTokens(cls);
  const tsyringe =
    (Reflect.getOwnMetadata(TSYRINGE_INJECTION_TOKENS, cls) as
      Record<number, unknown> | undefined) ?? {};
  const types = readParamTypes(cls);
  const indices = [...own.keys(), ...Object.keys(tsyringe).map(Number)];
  const arity = Math.max(cls.length, types?.length ?? 0, ...indices.map((i) => i + 1));
  const parameters: ParameterSpec[] = [];
  let missingMetadata = false;
  for (let index = 0; index < arity; index++) {
    const token = own.get(index);
    if (token !== undefined) parameters.push({ index, token, explicit: true });
    else if (index in tsyringe) parameters.push(fromTsyringe(index, tsyringe[index]));
    else {
      if (types === undefined) missingMetadata = true;
      parameters.push({
        index,
        token: types?.[index] as InjectionToken | undefined,
        explicit: false,
      });
    }
  }
  return { parameters, missingMetadata };
}
