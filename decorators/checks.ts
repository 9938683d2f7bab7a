/** Small argument checks shared by the decorators; failures become recorded misuses. */
import { type DecoratorMisuse, ownerClass, writeMisuse } from './metadata.js';

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Records a misuse on the class; returns false so callers can `return` on it. */
export function misuse(target: object, entry: DecoratorMisuse): false {
  writeMisuse(ownerClass(target), entry);
  return false;
}

/** True when the decorated member is a method (not a property or accessor). */
export function isMethod(descriptor: PropertyDescriptor | undefined): boolean {
  return descriptor !== undefined && typeof descriptor.value === 'function';
}
