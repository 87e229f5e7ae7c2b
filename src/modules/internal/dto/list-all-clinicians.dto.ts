import { IsOptionalDateTime } from '../../../common/validation/decorators';
import { PaginationQuery } from '../../../common/validation/pagination.dto';

/** ListAllClinicians query. */
export class ListAllCliniciansQuery extends PaginationQuery {
  /** Created at or after (inclusive). */
  @IsOptionalDateTime()
  createdTimeStart?: string;

  /** Created before (exclusive). */
  @IsOptionalDateTime()
  createdTimeEnd?: string;
}
