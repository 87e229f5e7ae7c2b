import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/authorization/access-rules';
import { Authorize, CurrentMembership, CurrentPrincipal } from '../../../auth/authorization/authorize.decorator';
import type { ClinicianMembership } from '../../../auth/authorization/clinician-membership';
import type { Principal } from '../../../auth/principal';
import { ClinicIdParams, UserIdParams } from '../../../common/validation/id-params.dto';
import { PaginationQuery } from '../../../common/validation/pagination.dto';
import { CliniciansService } from './clinicians.service';
import { AssociateClinicianToUserBody, ClinicianBody } from './dto/clinician-body.dto';
import { ClinicianClinicRelationship, ClinicianResponse } from './dto/clinician-response.dto';
import { ListCliniciansQuery } from './dto/list-clinicians.dto';
import { ClinicianParams, InviteParams } from '../dto/params.dto';

@ApiTags('Clinics')
@Controller('v1')
export class CliniciansController {
  constructor(private readonly clinicians: CliniciansService) {}

  @Get('clinics/:clinicId/clinicians')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: [ClinicianResponse] })
  listClinicians(
    @Param() params: ClinicIdParams,
    @Query() query: ListCliniciansQuery,
    @CurrentMembership() membership: ClinicianMembership | undefined,
  ): Promise<ClinicianResponse[]> {
    const { search, email, role, offset, limit } = query;
    return this.clinicians.listClinicians(
      params.clinicId,
      { search, email, role },
      { offset, limit },
      { clinicKnownToExist: membership !== undefined },
    );
  }

  @Post('clinics/:clinicId/clinicians')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: ClinicianBody, required: false })
  @ApiOkResponse({ type: ClinicianResponse })
  createClinician(@Param() params: ClinicIdParams, @Body() body: ClinicianBody): Promise<ClinicianResponse> {
    return this.clinicians.createClinician(params.clinicId, { ...body, userId: body.id });
  }

  @Get('clinics/:clinicId/clinicians/:clinicianId')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: ClinicianResponse })
  getClinician(@Param() params: ClinicianParams): Promise<ClinicianResponse> {
    return this.clinicians.getClinician(params.clinicId, params.clinicianId);
  }

  @Put('clinics/:clinicId/clinicians/:clinicianId')
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiBody({ type: ClinicianBody, required: false })
  @ApiOkResponse({ type: ClinicianResponse })
  updateClinician(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClinicianParams,
    @Body() body: ClinicianBody,
  ): Promise<ClinicianResponse> {
    return this.clinicians.updateClinician(principal, params.clinicId, params.clinicianId, body);
  }

  /** Answers 200 with an empty body. A member may delete only their own record. */
  @Delete('clinics/:clinicId/clinicians/:clinicianId')
  @Authorize(Allow.server, Allow.clinicAdmin, Allow.selfMember('clinicianId'))
  @ApiOkResponse()
  deleteClinician(@CurrentPrincipal() principal: Principal, @Param() params: ClinicianParams): Promise<void> {
    return this.clinicians.deleteClinician(principal, params.clinicId, params.clinicianId);
  }

  @Get('clinics/:clinicId/invites/clinicians/:inviteId/clinician')
  @Authorize(Allow.server)
  @ApiOkResponse({ type: ClinicianResponse })
  getInvitedClinician(@Param() params: InviteParams): Promise<ClinicianResponse> {
    return this.clinicians.getInvitedClinician(params.clinicId, params.inviteId);
  }

  @Patch('clinics/:clinicId/invites/clinicians/:inviteId/clinician')
  @Authorize(Allow.server)
  @ApiBody({ type: AssociateClinicianToUserBody, required: false })
  @ApiOkResponse({ type: ClinicianResponse })
  associateClinicianToUser(
    @Param() params: InviteParams,
    @Body() body: AssociateClinicianToUserBody,
  ): Promise<ClinicianResponse> {
    return this.clinicians.associateClinicianToUser(params.clinicId, params.inviteId, body.userId);
  }

  /** Answers 200 with an empty body. */
  @Delete('clinics/:clinicId/invites/clinicians/:inviteId/clinician')
  @Authorize(Allow.server)
  @ApiOkResponse()
  deleteInvitedClinician(@Param() params: InviteParams): Promise<void> {
    return this.clinicians.deleteInvitedClinician(params.clinicId, params.inviteId);
  }

  @Get('clinicians/:userId/clinics')
  @Authorize(Allow.server, Allow.self('userId'))
  @ApiOkResponse({ type: [ClinicianClinicRelationship] })
  listClinicsForClinician(
    @Param() params: UserIdParams,
    @Query() query: PaginationQuery,
  ): Promise<ClinicianClinicRelationship[]> {
    return this.clinicians.listClinicsForClinician(params.userId, query);
  }
}
