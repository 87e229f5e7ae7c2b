import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength } from 'class-validator';

/** EnableNewClinicExperience takes any user id (the contract does not constrain it). */
export class LegacyUserParams {
  @IsString()
  @MinLength(1)
  @ApiProperty({ type: String })
  userId: string;
}
