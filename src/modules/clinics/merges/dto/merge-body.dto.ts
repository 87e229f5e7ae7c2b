import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { IsObjectIdString } from '../../../../common/validation/decorators';
import { OBJECT_ID_PATTERN } from '../../../../common/validation/patterns';

/** `generateMergeReport.v1`: the clinic to merge into the path's clinic. */
export class GenerateMergeReportBody {
  @IsObjectIdString()
  sourceId: string;
}

/**
 * `mergeClinic.v1`. The contract leaves `sourceId` optional; a merge without one cannot be planned,
 * so its absence is answered 400 like any invalid value.
 */
export class MergeClinicBody {
  @ApiPropertyOptional({ type: String, pattern: OBJECT_ID_PATTERN.source })
  @IsOptional()
  @Matches(OBJECT_ID_PATTERN, { message: 'must be a 24-character lowercase hexadecimal id' })
  sourceId?: string;
}
