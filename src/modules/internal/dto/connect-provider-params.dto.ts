import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ClinicPatientParams } from '../../clinics/patients/dto/patient-params.dto';
import { CONNECTION_PROVIDERS, type ConnectionProvider } from '../../clinics/patients/patient.schema';

export class ConnectProviderParams extends ClinicPatientParams {
  @IsIn(CONNECTION_PROVIDERS, { message: `providerId must be one of: ${CONNECTION_PROVIDERS.join(', ')}` })
  @ApiProperty({ enum: CONNECTION_PROVIDERS, enumName: 'ProviderId' })
  providerId: ConnectionProvider;
}
