/** class-validator rules the sample config classes share. */
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { parseDuration } from 'modhost';

/** A regular expression that compiles. */
export function IsRegExp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRegExp',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            new RegExp(value);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: (args) =>
          `${args?.property} must be a valid regular expression, got ${JSON.stringify(args?.value)}`,
      },
    },
    options,
  );
}

/** A duration: milliseconds, or a string such as '30m', '6w'. */
export function IsDuration(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDuration',
      validator: {
        validate: (value: unknown) => {
          try {
            parseDuration(value);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: (args) =>
          `${args?.property} must be a duration (milliseconds, or a string such as '30m', '6w'), got ${JSON.stringify(args?.value)}`,
      },
    },
    options,
  );
}

/** An absolute http(s) URL. */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return url.protocol === 'http:' || url.protocol === 'https:';
          } catch {
            return false;
          }
        },
        defaultMessage: (args) =>
          `${args?.property} must be an absolute http(s) URL such as "http://127.0.0.1:8080", got ${JSON.stringify(args?.value)}`,
      },
    },
    options,
  );
}
