import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString } from 'class-validator';
import { PaginationQuery } from '../../../../common/validation/pagination.dto';

/** ListClinicians query; the filters combine with AND. */
export class ListCliniciansQuery extends PaginationQuery {
  /** Case-insensitive substring of the clinician's name or e-mail. */
  @IsOptional()
  @IsString()
  search?: string;

  /** Exact e-mail, compared lower-cased. */
  @IsOptional()
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @ApiPropertyOptional({ format: 'email' })
  email?: string;

  /** Clinicians holding this role. */
  @IsOptional()
  @IsString()
  role?: string;
}
