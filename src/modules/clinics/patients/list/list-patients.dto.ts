import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { IsOptionalDateTime, IsOptionalQueryBoolean } from '../../../../common/validation/decorators';
import { PaginationQuery } from '../../../../common/validation/pagination.dto';
import { OBJECT_ID_PATTERN } from '../../../../common/validation/patterns';
import {
  FLOAT_FILTER_PATTERN,
  INT_FILTER_PATTERN,
  PERIODS,
  RANGE_FILTERS,
  RangeFilterParam,
  SummaryType,
} from './patient-list-fields';
import type { PatientListParams } from './patient-list-query';

/** The contract's (unanchored) `sort` pattern; the query builder reports what is wrong with a value. */
const SORT_PATTERN = '(?:-|\\+)(?:[a-zA-Z]|_)+';
const PERIOD_PATTERN = new RegExp(`^(${PERIODS.join('|')})$`);

/** A text query value given at most once (a repeated parameter arrives as an array). */
function IsOptionalQueryText(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsString({ message: '$property must be given once, as text' }));
}

/**
 * `tags`/`sites`: one comma-separated list (form style, not exploded). Kept as received: the query
 * builder drops invalid ids, and an empty list selects the patients without any.
 */
function IsOptionalIdList(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsString({ message: '$property must be given once, as a comma-separated list of ids' }),
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', format: OBJECT_ID_PATTERN.source },
      description: 'Comma-separated (form style, not exploded)',
    }),
  );
}

/**
 * ListPatients query (behavior-patients.md §4.1): every contract parameter. Shapes are checked here
 * (400 with field details); `sort`/`sortType` and the range filter values are interpreted by the query
 * builder, which answers the established messages (`bad request: invalid sort parameter, …`,
 * `bad request: couldn't parse range filter`).
 */
export class ListPatientsQuery extends PaginationQuery implements PatientListParams {
  /** Case-insensitive substring of the full name, e-mail, MRN or birth date (YYYY-MM-DD). */
  @IsOptionalQueryText()
  search?: string;

  /** `+` or `-` and an attribute, e.g. `-timeInTargetPercent` (URL-encode `+` as `%2B`). Needs `sortType`. */
  @IsOptionalQueryText()
  @ApiPropertyOptional({ pattern: SORT_PATTERN })
  sort?: string;

  @IsOptionalQueryText()
  @ApiPropertyOptional({ pattern: '^(cgm|bgm)$', example: 'cgm' })
  sortType?: string;

  /** Summary period the range filters and metric sorts read; default `14d`. */
  @IsOptional()
  @Matches(PERIOD_PATTERN, { message: `period must be one of ${PERIODS.join(', ')}` })
  @ApiPropertyOptional({ pattern: PERIOD_PATTERN.source, example: '7d' })
  period?: string;

  /** Patients whose latest review is at or before this time. */
  @IsOptionalDateTime()
  lastReviewed?: string;

  /** Patients with all of these tags; empty: patients without tags. */
  @IsOptionalIdList()
  tags?: string;

  /** Patients at any of these sites; empty: patients without sites. */
  @IsOptionalIdList()
  sites?: string;

  /** Only patients on the ADA standard ranges (or with none set). */
  @IsOptionalQueryBoolean()
  omitNonStandardRanges?: boolean;

  /** CGM data last received at or after this time. */
  @IsOptionalDateTime()
  'cgm.lastDataFrom'?: string;

  /** CGM data last received before this time. */
  @IsOptionalDateTime()
  'cgm.lastDataTo'?: string;

  /** BGM data last received at or after this time. */
  @IsOptionalDateTime()
  'bgm.lastDataFrom'?: string;

  /** BGM data last received before this time. */
  @IsOptionalDateTime()
  'bgm.lastDataTo'?: string;

  /** The range filters of {@link RANGE_FILTERS}, declared on the class below. */
  [rangeFilter: `${SummaryType}.${string}`]: string | undefined;
}

/** One `cgm.*`/`bgm.*` range filter parameter: text, documented with the contract's pattern. */
function declareRangeFilter({ param, kind }: RangeFilterParam): void {
  const decorate = applyDecorators(
    IsOptionalQueryText(),
    ApiPropertyOptional({
      type: String,
      pattern: (kind === 'int' ? INT_FILTER_PATTERN : FLOAT_FILTER_PATTERN).source,
      example: kind === 'int' ? '>=7' : '>=5.5',
    }),
  );
  decorate(ListPatientsQuery.prototype, param);
}

RANGE_FILTERS.forEach(declareRangeFilter);
