import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { OBJECT_ID_PATTERN, RFC3339_DATE_TIME_PATTERN, TIDEPOOL_USER_ID_PATTERN } from './patterns';

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
