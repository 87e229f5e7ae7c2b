import { IsOptional, IsString } from 'class-validator';
import { IsEmailAddress } from '../../../../common/validation/decorators';
import { PaginationQuery } from '../../../../common/validation/pagination.dto';

/** ListClinicians query; the filters combine with AND. */
export class ListCliniciansQuery extends PaginationQuery {
  /** Case-insensitive substring of the clinician's name or e-mail. */
  @IsOptional()
  @IsString()
  search?: string;

  /** Exact e-mail, compared lower-cased. */
  @IsEmailAddress({ optional: true })
  email?: string;

  /** Clinicians holding this role. */
  @IsOptional()
  @IsString()
  role?: string;
}
