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

/**
 * The checks every member decorator shares: an instance method, not a static one nor a
 * property. Records the misuse and returns false when the target is wrong.
 */
export function checkInstanceMethod(
  decorator: string,
  target: object,
  member: string | symbol,
  descriptor: PropertyDescriptor | undefined,
): boolean {
  if (typeof target === 'function') {
    return misuse(target, {
      decorator,
      member,
      problem: 'applies to instance methods, not static ones',
    });
  }
  if (!isMethod(descriptor)) {
    return misuse(target, {
      decorator,
      member,
      problem: 'applies to methods only (this member is a property or accessor)',
    });
  }
  return true;
}
