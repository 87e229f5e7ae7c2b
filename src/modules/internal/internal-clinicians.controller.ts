import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize } from '../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../common/validation/id-params.dto';
import { CliniciansService } from '../clinics/clinicians/clinicians.service';
import { ClinicianClinicRelationship, ClinicianResponse } from '../clinics/clinicians/dto/clinician-response.dto';
import { AddServiceAccountBody } from './dto/add-service-account.dto';
import { ListAllCliniciansQuery } from './dto/list-all-clinicians.dto';

/** Clinician operations for other services and operators. */
@ApiTags('Clinics', 'Internal')
@Controller('v1')
export class InternalCliniciansController {
  constructor(private readonly clinicians: CliniciansService) {}

  /** Server tokens only (decisions.md §2). */
  @Get('clinicians')
  @Authorize(Allow.server)
  @ApiOkResponse({ type: [ClinicianClinicRelationship] })
  listAllClinicians(@Query() query: ListAllCliniciansQuery): Promise<ClinicianClinicRelationship[]> {
    return this.clinicians.listAllClinicians(query);
  }

  @Post('clinics/:clinicId/service_accounts')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: AddServiceAccountBody, required: false })
  @ApiOkResponse({ type: ClinicianResponse })
  addServiceAccount(@Param() params: ClinicIdParams, @Body() body: AddServiceAccountBody): Promise<ClinicianResponse> {
    return this.clinicians.addServiceAccount(params.clinicId, body);
  }
}
