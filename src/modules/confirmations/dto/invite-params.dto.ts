import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength } from 'class-validator';
import { UserIdParams } from '../../../common/validation/id-params.dto';

export class UserInviteParams extends UserIdParams {
  @IsString()
  @MinLength(1)
  @ApiProperty({ type: String, minLength: 1 })
  inviteId: string;
}
