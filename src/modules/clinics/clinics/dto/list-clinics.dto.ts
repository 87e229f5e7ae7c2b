import { IsOptional, IsString } from 'class-validator';
import { IsOptionalDateTime, IsOptionalQueryBoolean } from '../../../../common/validation/decorators';
import { PaginationQuery } from '../../../../common/validation/pagination.dto';

/** ListClinics query. */
export class ListClinicsQuery extends PaginationQuery {
  /** Exact, case-sensitive: current or merged share code. */
  @IsOptional()
  @IsString()
  shareCode?: string;

  /** Created at or after (inclusive). */
  @IsOptionalDateTime()
  createdTimeStart?: string;

  /** Created before (exclusive). */
  @IsOptionalDateTime()
  createdTimeEnd?: string;

  /** Clinics whose EHR integration is (not) enabled; clinics without EHR settings never match. */
  @IsOptionalQueryBoolean()
  ehrEnabled?: boolean;
}
