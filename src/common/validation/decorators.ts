import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  isEmail,
  IsBoolean,
  IsEnum,
  isFQDN,
  IsInt,
  IsObject,
  IsOptional,
  isURL,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { OBJECT_ID_PATTERN, RFC3339_DATE_TIME_PATTERN, TIDEPOOL_USER_ID_PATTERN } from './patterns';

/** Identity of an array item for `uniqueItems` checks: structural, whatever the item is. */
export function structuralIdentity(item: unknown): string {
  if (typeof item !== 'object' || item === null) return JSON.stringify(item) ?? 'undefined';
  const entries = Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

export interface ArrayOfObjectsOptions {
  minItems?: number;
  maxItems?: number;
  /** The contract's `uniqueItems`: no two items may be structurally equal. */
  unique?: boolean;
}

/**
 * An array whose every item is an object validated as `type`. Validation only (the OpenAPI
 * property is declared beside it). `ValidateNested` alone would accept `[[]]` or `[[{}]]` as nested
 * arrays and store empty objects; every item must be an object here.
 */
export function IsArrayOfObjects(type: () => new () => object, options: ArrayOfObjectsOptions = {}): PropertyDecorator {
  const decorators: PropertyDecorator[] = [
    IsArray(),
    IsObject({ each: true, message: ({ property }) => `${property} must be an array of objects` }),
    ValidateNested({ each: true }),
    Type(type),
  ];
  if (options.minItems !== undefined) decorators.push(ArrayMinSize(options.minItems));
  if (options.maxItems !== undefined) decorators.push(ArrayMaxSize(options.maxItems));
  if (options.unique) {
    decorators.push(
      ArrayUnique(structuralIdentity, {
        message: ({ property }) => `${property} must not contain the same item twice`,
      }),
    );
  }
  return applyDecorators(...decorators);
}

/** A 24-character resource id (path or body). */
export function IsObjectIdString(): PropertyDecorator {
  return applyDecorators(
    Matches(OBJECT_ID_PATTERN, { message: 'must be a 24-character lowercase hexadecimal id' }),
    ApiProperty({ type: String, pattern: OBJECT_ID_PATTERN.source }),
  );
}

/** A Tidepool user id: 10 lowercase hex characters or a lowercase UUID. */
export function IsTidepoolUserId(): PropertyDecorator {
  return applyDecorators(
    Matches(TIDEPOOL_USER_ID_PATTERN, { message: 'must be a Tidepool user id (10 hex characters or a UUID)' }),
    ApiProperty({ type: String, pattern: TIDEPOOL_USER_ID_PATTERN.source }),
  );
}

/** An optional RFC 3339 date-time with time zone, kept as a string and parsed by the caller. */
export function IsOptionalDateTime(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Matches(RFC3339_DATE_TIME_PATTERN, { message: 'must be an RFC 3339 date-time with a time zone' }),
    ApiPropertyOptional({ type: String, format: 'date-time' }),
  );
}

/** An optional integer query value within bounds. */
export function IsOptionalQueryInteger(options: { min: number; max?: number }): PropertyDecorator {
  const decorators: PropertyDecorator[] = [IsOptional(), Type(() => Number), IsInt(), Min(options.min)];
  if (options.max !== undefined) decorators.push(Max(options.max));
  return applyDecorators(...decorators);
}

/** An optional boolean query value (`true`/`false`). */
export function IsOptionalQueryBoolean(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value)),
    IsBoolean(),
    ApiPropertyOptional({ type: Boolean }),
  );
}

/** One of a contract enum's values; `enumName` names the schema in the OpenAPI document. */
export function IsContractEnum(values: Record<string, string>, enumName: string): PropertyDecorator {
  return applyDecorators(
    IsEnum(values, { message: `must be one of: ${Object.values(values).join(', ')}` }),
    ApiProperty({ enum: values, enumName }),
  );
}

/** The OpenAPI string formats the service checks, and how. */
const STRING_FORMATS = {
  email: { check: (value: string) => isEmail(value), message: 'must be an e-mail address' },
  uri: {
    check: (value: string) => isURL(value, { require_protocol: true, require_tld: false }),
    message: 'must be an absolute URI',
  },
  hostname: { check: (value: string) => isFQDN(value, { require_tld: false }), message: 'must be a host name' },
} as const;

export type StringFormat = keyof typeof STRING_FORMATS;

export interface StringFormatOptions {
  /** Whether the property must be present. Default: required. */
  optional?: boolean;
  /** More of the property's OpenAPI description (e.g. `minLength`). */
  openApi?: ApiPropertyOptions;
}

/**
 * A string in one of the contract's formats (decisions.md §2): the format is checked on non-empty
 * values only. An optional property accepts `""` (clients send it for a field left blank) and it is
 * kept as sent; a required property rejects `""` like any other malformed value.
 */
export function IsStringFormat(format: StringFormat, options: StringFormatOptions = {}): PropertyDecorator {
  const { check, message } = STRING_FORMATS[format];
  const optional = options.optional ?? false;
  const decorators: PropertyDecorator[] = [
    ValidateBy(
      {
        name: `isFormat_${format}`,
        constraints: [format],
        validator: {
          validate: (value: unknown): boolean => typeof value === 'string' && (value === '' ? optional : check(value)),
        },
      },
      { message: `$property ${message}` },
    ),
  ];
  if (optional) {
    decorators.unshift(IsOptional());
    decorators.push(ApiPropertyOptional({ type: String, format, ...options.openApi }));
  } else {
    decorators.push(ApiProperty({ type: String, format, ...options.openApi }));
  }
  return applyDecorators(...decorators);
}

/** An e-mail address (`format: email`); see {@link IsStringFormat}. */
export function IsEmailAddress(options?: StringFormatOptions): PropertyDecorator {
  return IsStringFormat('email', options);
}

/** An absolute URI (`format: uri`); see {@link IsStringFormat}. */
export function IsUri(options?: StringFormatOptions): PropertyDecorator {
  return IsStringFormat('uri', options);
}

/** A host name (`format: hostname`); see {@link IsStringFormat}. */
export function IsHostname(options?: StringFormatOptions): PropertyDecorator {
  return IsStringFormat('hostname', options);
}
