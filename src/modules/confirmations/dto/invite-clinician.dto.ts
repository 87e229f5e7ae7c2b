import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsEmail, IsIn, MinLength } from 'class-validator';
import { ClinicianRole } from '../../clinics/clinic.constants';

const ROLES = Object.values(ClinicianRole);

export class InviteClinicianBody {
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MinLength(6)
  @ApiProperty({ type: String, format: 'email', minLength: 6 })
  email: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each value in roles must be one of: ${ROLES.join(', ')}` })
  @ApiProperty({ enum: ClinicianRole, enumName: 'ClinicianRole', isArray: true, minItems: 1, uniqueItems: true })
  roles: ClinicianRole[];
}
