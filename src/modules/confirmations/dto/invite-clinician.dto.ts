import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, MinLength } from 'class-validator';
import { IsEmailAddress } from '../../../common/validation/decorators';
import { ClinicianRole } from '../../clinics/clinic.constants';

const ROLES = Object.values(ClinicianRole);

export class InviteClinicianBody {
  @IsEmailAddress({ openApi: { minLength: 6 } })
  @MinLength(6)
  email: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each value in roles must be one of: ${ROLES.join(', ')}` })
  @ApiProperty({ enum: ClinicianRole, enumName: 'ClinicianRole', isArray: true, minItems: 1, uniqueItems: true })
  roles: ClinicianRole[];
}
