import { ClinicResponse } from '../../clinics/dto/clinic-response.dto';
import { PatientResponse } from './patient-response.dto';

/** `patientClinicRelationship.v1`. */
export class PatientClinicRelationship {
  patient: PatientResponse;
  clinic: ClinicResponse;
}
