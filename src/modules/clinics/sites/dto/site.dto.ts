import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsObjectIdString } from '../../../../common/validation/decorators';
import { ClinicIdParams } from '../../../../common/validation/id-params.dto';
import { OBJECT_ID_PATTERN } from '../../../../common/validation/patterns';

/** `siteName.v1`: printable characters, letters and digits, inner spaces, no leading space. */
export const SITE_NAME_PATTERN = /^[\x21-\x7E\p{L}\p{N}][\x21-\x7E\p{L}\p{N} ]*$/u;
const SITE_NAME_OPENAPI = {
  minLength: 1,
  maxLength: 200,
  pattern: '^[[:graph:]\\p{L}\\p{N}][[:graph:]\\p{L}\\p{N} ]*$',
};

function IsSiteName(): PropertyDecorator {
  return (target, property) => {
    IsString()(target, property);
    MinLength(1)(target, property);
    MaxLength(200)(target, property);
    Matches(SITE_NAME_PATTERN, { message: 'name must not start with a space and hold only printable characters' })(
      target,
      property,
    );
    ApiProperty(SITE_NAME_OPENAPI)(target, property);
  };
}

export class SiteParams extends ClinicIdParams {
  @IsObjectIdString()
  siteId: string;
}

/** `siteCreation.v1` (CreateSite). */
export class SiteCreationBody {
  @IsSiteName()
  name: string;
}

/** `site.v1` as sent (UpdateSite): only `name` is used. */
export class SiteBody {
  /** Read-only: accepted and ignored. */
  @IsOptional()
  @IsString()
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source, readOnly: true })
  id: string;

  @IsSiteName()
  name: string;

  /** Read-only: accepted and ignored. */
  @IsOptional()
  @ApiPropertyOptional({ type: 'integer', readOnly: true })
  numPatients?: number;
}

/** `siteById.v1` (MergeSite): the site merged into the one in the path. */
export class SiteByIdBody {
  @IsObjectIdString()
  id: string;
}

/**
 * What CreateSite, UpdateSite, MergeSite and ConvertPatientTagToSite answer: the site with its
 * patient count under `patients` (left out when 0), as the established service answers
 * (behavior-patients.md §3, "Site JSON quirk"). Documented as `site.v1`.
 */
export interface SiteResult {
  id: string;
  name: string;
  patients?: number;
}
