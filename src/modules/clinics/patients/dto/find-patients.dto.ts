import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { PaginationQuery } from '../../../../common/validation/pagination.dto';

export const WORKSPACE_ID_TYPES = ['clinicId', 'ehrSourceId'] as const;

/** FindPatients: the caller's clinics' patients, by MRN and birth date. */
export class FindPatientsQuery extends PaginationQuery {
  /** Compared case-insensitively (and trimmed). */
  @IsOptional()
  @IsString()
  mrn?: string;

  /** Exact, `YYYY-MM-DD`. */
  @IsOptional()
  @IsString()
  birthDate?: string;

  /** The identifier of the workspace. */
  @IsOptional()
  @IsString()
  workspaceId?: string;

  /** The type of the workspace identifier; required with `workspaceId`. */
  @IsOptional()
  @IsIn(WORKSPACE_ID_TYPES, { message: `workspaceIdType must be one of: ${WORKSPACE_ID_TYPES.join(', ')}` })
  @ApiPropertyOptional({ enum: WORKSPACE_ID_TYPES, enumName: 'WorkspaceIdType' })
  workspaceIdType?: (typeof WORKSPACE_ID_TYPES)[number];
}
