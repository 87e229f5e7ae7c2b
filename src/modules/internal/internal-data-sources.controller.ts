import { Body, Controller, HttpCode, HttpStatus, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize, CurrentPrincipal } from '../../auth/authorization/authorize.decorator';
import type { Principal } from '../../auth/principal';
import { UserIdParams } from '../../common/validation/id-params.dto';
import { ErrorResponse } from '../clinics/dto/error.dto';
import { DataSourceDto } from '../clinics/patients/dto/patient-parts.dto';
import { PatientDataSourcesService } from '../clinics/patients/patient-data-sources.service';
import { parseDataSources } from './dto/data-sources-body';
import { ConnectProviderParams } from './dto/connect-provider-params.dto';

/** Patients' data sources and provider connection requests, for other services. */
@ApiTags('Clinics', 'Internal')
@Controller('v1')
export class InternalDataSourcesController {
  constructor(private readonly dataSources: PatientDataSourcesService) {}

  /** Replaces the user's data sources in every clinic; always 200 with an empty body. */
  @Put('patients/:userId/data_sources')
  @Authorize(Allow.server)
  @ApiBody({ type: [DataSourceDto], required: false })
  @ApiOkResponse()
  @ApiNotFoundResponse()
  updatePatientDataSources(@Param() params: UserIdParams, @Body() body: unknown): Promise<void> {
    return this.dataSources.updatePatientDataSources(params.userId, parseDataSources(body));
  }

  /** Asks the patient to connect the provider; 204. */
  @Post('clinics/:clinicId/patients/:patientId/connect/:providerId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No such patient, or no data source of the provider' })
  connectProvider(@CurrentPrincipal() principal: Principal, @Param() params: ConnectProviderParams): Promise<void> {
    return this.dataSources.connectProvider(principal, params.clinicId, params.patientId, params.providerId);
  }
}
