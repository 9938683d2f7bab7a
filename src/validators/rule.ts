/**
 * One shape for every shipped validator: a class-validator rule whose message reads like the
 * config stage's own ("must be a duration: ..."); the config stage names the path and appends
 * what it found, so the message never repeats the value. `{ each: true }` validates each item.
 */
import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

export function rule(
  name: string,
  test: (value: unknown) => boolean,
  expected: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => test(value),
        defaultMessage: buildMessage((each) => `${each}$property must be ${expected}`, options),
      },
    },
    options,
  );
}
