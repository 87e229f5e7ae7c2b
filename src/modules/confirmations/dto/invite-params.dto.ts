import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength } from 'class-validator';
import { IsObjectIdString, IsTidepoolUserId } from '../../../common/validation/decorators';

export class ClinicInviteParams {
  @IsObjectIdString()
  clinicId: string;

  @IsString()
  @MinLength(1)
  @ApiProperty({ type: String, minLength: 1 })
  inviteId: string;
}

export class UserInviteParams {
  @IsTidepoolUserId()
  userId: string;

  @IsString()
  @MinLength(1)
  @ApiProperty({ type: String, minLength: 1 })
  inviteId: string;
}
