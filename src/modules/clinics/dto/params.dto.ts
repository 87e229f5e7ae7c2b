import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength } from 'class-validator';
import { IsTidepoolUserId } from '../../../common/validation/decorators';
import { ClinicIdParams } from '../../../common/validation/id-params.dto';

export class ShareCodeParams {
  @IsString()
  @MinLength(1)
  @ApiProperty({ minLength: 1 })
  shareCode: string;
}

/** `clinicianId` is the clinician's user id. */
export class ClinicianParams extends ClinicIdParams {
  @IsTidepoolUserId()
  clinicianId: string;
}

export class InviteParams extends ClinicIdParams {
  @IsString()
  @MinLength(1)
  @ApiProperty({ minLength: 1 })
  inviteId: string;
}
