import { ValidateBy, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * For objects the contract declares with `additionalProperties: false`: unknown keys are an error
 * (400) rather than silently dropped by the global pipe's whitelist. Put it on the property that
 * holds the object; it runs before the nested object is whitelisted.
 */
export function HasOnlyProperties(allowed: readonly string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasOnlyProperties',
      constraints: [allowed],
      validator: {
        validate: (value: unknown): boolean =>
          typeof value !== 'object' ||
          value === null ||
          Array.isArray(value) ||
          Object.keys(value).every((key) => allowed.includes(key)),
        defaultMessage: (args?: ValidationArguments): string =>
          `${args?.property ?? 'value'} must not have properties other than: ${allowed.join(', ')}`,
      },
    },
    options,
  );
}
