import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Header } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize, CurrentPrincipal } from '../../auth/authorization/authorize.decorator';
import type { Principal } from '../../auth/principal';
import { ClinicIdParams, UserIdParams } from '../../common/validation/id-params.dto';
import { ClinicianResponse } from '../clinics/clinicians/dto/clinician-response.dto';
import { InviteParams } from '../clinics/dto/params.dto';
import { ClinicianInvitesService } from './clinician-invites.service';
import { ConfirmationResponse } from './dto/confirmation-response.dto';
import { InviteClinicianBody } from './dto/invite-clinician.dto';
import { UserInviteParams } from './dto/invite-params.dto';

const OK = 'OK';

/** Operation tags add to the class tag, as in the contract (GetClinicianInvite is tagged Confirmations only). */
@ApiTags('Confirmations')
@Controller('v1')
export class ClinicianInvitesController {
  constructor(private readonly invites: ClinicianInvitesService) {}

  @Post('clinics/:clinicId/invites/clinicians')
  @HttpCode(200)
  @ApiTags('Clinics')
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiBody({ type: InviteClinicianBody, required: false })
  @ApiOkResponse({ type: ClinicianResponse })
  inviteClinician(
    @Param() { clinicId }: ClinicIdParams,
    @Body() body: InviteClinicianBody,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClinicianResponse> {
    return this.invites.inviteClinician(clinicId, body, principal);
  }

  @Patch('clinics/:clinicId/invites/clinicians/:inviteId')
  @ApiTags('Clinics')
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiOkResponse({ type: ConfirmationResponse })
  resendInvite(
    @Param() { clinicId, inviteId }: InviteParams,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConfirmationResponse> {
    return this.invites.resendInvite(clinicId, inviteId, principal);
  }

  @Delete('clinics/:clinicId/invites/clinicians/:inviteId')
  @HttpCode(200)
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiTags('Clinics')
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiResponse({ status: 200, description: 'OK' })
  async deleteInvite(@Param() { clinicId, inviteId }: InviteParams): Promise<string> {
    await this.invites.deleteInvite(clinicId, inviteId);
    return OK;
  }

  @Get('clinics/:clinicId/invites/clinicians/:inviteId')
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiOkResponse({ type: ConfirmationResponse })
  getClinicianInvite(@Param() { clinicId, inviteId }: InviteParams): Promise<ConfirmationResponse> {
    return this.invites.getClinicianInvite(clinicId, inviteId);
  }

  @Get('clinicians/:userId/invites')
  @ApiTags('Clinics')
  @Authorize(Allow.self('userId'))
  @ApiResponse({ status: 200, description: 'OK', type: ConfirmationResponse, isArray: true })
  listClinicianInvites(
    @Param() { userId }: UserIdParams,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConfirmationResponse[]> {
    return this.invites.listClinicianInvites(userId, principal);
  }

  @Put('clinicians/:userId/invites/:inviteId')
  @ApiTags('Clinics')
  @Authorize(Allow.self('userId'))
  @ApiOkResponse({ type: ClinicianResponse })
  acceptClinicianInvite(
    @Param() { userId, inviteId }: UserInviteParams,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClinicianResponse> {
    return this.invites.acceptClinicianInvite(userId, inviteId, principal);
  }

  @Delete('clinicians/:userId/invites/:inviteId')
  @HttpCode(200)
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiTags('Clinics')
  @Authorize(Allow.self('userId'))
  @ApiResponse({ status: 200, description: 'OK' })
  async dismissClinicianInvite(@Param() { userId, inviteId }: UserInviteParams): Promise<string> {
    await this.invites.dismissClinicianInvite(userId, inviteId);
    return OK;
  }
}
