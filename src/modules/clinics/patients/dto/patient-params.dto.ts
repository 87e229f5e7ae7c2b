import { ApiProperty } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { IsTidepoolUserId } from '../../../../common/validation/decorators';
import { ClinicIdParams } from '../../../../common/validation/id-params.dto';
import { PATIENT_PERMISSIONS, type PatientPermission } from '../patient.schema';

/** `patientId` is the patient's user id. */
export class ClinicPatientParams extends ClinicIdParams {
  @IsTidepoolUserId()
  patientId: string;
}

export class PatientPermissionParams extends ClinicPatientParams {
  @IsIn(PATIENT_PERMISSIONS, { message: `permission must be one of: ${PATIENT_PERMISSIONS.join(', ')}` })
  @ApiProperty({ enum: PATIENT_PERMISSIONS, enumName: 'PatientPermission' })
  permission: PatientPermission;
}

/** A patient's user id outside a clinic (UpdatePatientSummary). */
export class PatientIdParams {
  @IsTidepoolUserId()
  patientId: string;
}

export const SUMMARY_ID_PATTERN = /^[a-f0-9]{0,24}$/;

export class SummaryIdParams {
  @Matches(SUMMARY_ID_PATTERN, { message: 'summaryId must be up to 24 lowercase hexadecimal characters' })
  @ApiProperty({ pattern: SUMMARY_ID_PATTERN.source, minLength: 0, maxLength: 24 })
  summaryId: string;
}
