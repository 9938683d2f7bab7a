/**
 * class-validator reports a failed `{ each: true }` rule on the whole list ("each value in
 * banned_words must be a string"). To point at the offending item, the same constraint is run
 * again on each item, through class-validator's own metadata. Anything unexpected gives
 * undefined, and the problem stays on the list.
 */
import type { MetadataStorage, ValidationArguments } from 'class-validator';

/** Index of the first item of `items` that fails constraint `name` of `property`, if known. */
export async function firstFailingItem(
  storage: MetadataStorage,
  target: object,
  property: string,
  name: string,
  items: readonly unknown[],
): Promise<number | undefined> {
  const rules = storage
    .getTargetValidationMetadatas(target.constructor, '', false, false)
    .filter((m) => m.propertyName === property && m.each && m.type === 'customValidation');
  for (const rule of rules) {
    for (const constraint of storage.getTargetValidatorConstraints(rule.constraintCls)) {
      if (constraint.name !== name) continue;
      for (let index = 0; index < items.length; index++) {
        const args: ValidationArguments = {
          value: items[index],
          constraints: rule.constraints,
          targetName: target.constructor.name,
          object: target,
          property,
        };
        try {
          if (!(await constraint.instance.validate(items[index], args))) return index;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}
