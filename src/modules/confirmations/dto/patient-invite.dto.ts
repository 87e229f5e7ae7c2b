import { ApiProperty, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsString, MinLength, ValidateNested } from 'class-validator';
import { CreatePatientBody } from '../../clinics/patients/dto/patient-body.dto';
import { PatientPermissionsDto } from '../../clinics/patients/dto/patient-parts.dto';

/** A patient shares their data with the clinic that has this share code. */
export class ShareWithClinicBody {
  /** The clinic's share code, exactly as the clinic shows it. */
  @IsString()
  @MinLength(1)
  @ApiProperty({ minLength: 1, example: 'ABCD-EFGH-JKLM' })
  shareCode: string;

  /** What the clinic may do with the data once it accepts: `view`, `upload`, `note` (each `{}`). */
  @IsObject()
  @ValidateNested()
  @Type(() => PatientPermissionsDto)
  @ApiProperty({ type: PatientPermissionsDto })
  permissions: PatientPermissionsDto;
}

/**
 * `AcceptPatientInvitation`: the record's details, each optional (name, birth date and MRN come from
 * the patient's profile where not sent).
 */
export class AcceptPatientInvitationBody extends PickType(CreatePatientBody, [
  'fullName',
  'birthDate',
  'mrn',
  'tags',
  'sites',
  'glycemicRanges',
  'diagnosisType',
] as const) {}
