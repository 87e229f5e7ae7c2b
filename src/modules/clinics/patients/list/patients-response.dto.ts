import { ApiProperty } from '@nestjs/swagger';
import { PatientResponse } from '../dto/patient-response.dto';

/** `meta.v1`. */
export class PatientsMetaResponse {
  /** Patients matching the filters. */
  @ApiProperty({ type: 'integer' })
  count: number;

  /** All patients of the clinic. */
  @ApiProperty({ type: 'integer' })
  totalCount: number;
}

/** `patientsResponse.v1`. */
export class PatientsResponse {
  data: PatientResponse[];
  meta: PatientsMetaResponse;
}
