import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../../auth/authorization/access-rules';
import { Authorize } from '../../../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../../../common/validation/id-params.dto';
import { ListPatientsQuery } from './list-patients.dto';
import { ListPatientsService } from './list-patients.service';
import { PatientsResponse } from './patients-response.dto';

@ApiTags('Clinics')
@Controller('v1')
export class ListPatientsController {
  constructor(private readonly patients: ListPatientsService) {}

  /** A page of the clinic's patients, filtered and sorted (behavior-patients.md §4). */
  @Get('clinics/:clinicId/patients')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: PatientsResponse })
  listPatients(@Param() params: ClinicIdParams, @Query() query: ListPatientsQuery): Promise<PatientsResponse> {
    const { offset, limit, ...filters } = query;
    return this.patients.listPatients(params.clinicId, filters, { offset, limit });
  }
}
