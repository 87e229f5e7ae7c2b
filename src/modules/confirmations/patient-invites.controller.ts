import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize, CurrentPrincipal } from '../../auth/authorization/authorize.decorator';
import type { Principal } from '../../auth/principal';
import { ClinicIdParams, UserIdParams } from '../../common/validation/id-params.dto';
import { PatientResponse } from '../clinics/patients/dto/patient-response.dto';
import { InviteParams } from '../clinics/dto/params.dto';
import { ConfirmationResponse } from './dto/confirmation-response.dto';
import { AcceptPatientInvitationBody, ShareWithClinicBody } from './dto/patient-invite.dto';
import { PatientInvitesService } from './patient-invites.service';

const OK = 'OK';
const EXPIRY_NOTE =
  'A share expires 7 days after it is sent, as in the established invite service: the expiry only lets ' +
  'the patient share with the clinic again. An expired share is still listed and can still be accepted.';

/**
 * Patients sharing their data with a clinic. GetPatientInvites and AcceptPatientInvitation are contract
 * operations; the other three are the companion routes Tidepool clients call at the paths the
 * established invite service used (not in the contract).
 */
@ApiTags('Confirmations')
@Controller()
export class PatientInvitesController {
  constructor(private readonly invites: PatientInvitesService) {}

  @Get('v1/clinics/:clinicId/invites/patients')
  @ApiTags('Clinics')
  @Authorize(Allow.server, Allow.clinicRecord)
  @ApiOperation({
    summary: 'Get Patient Invites',
    description: `The clinic's pending invites from users who would like to share their data with it, newest first, each with its sender's profile ([] when none). ${EXPIRY_NOTE}`,
  })
  @ApiResponse({ status: 200, description: 'OK', type: ConfirmationResponse, isArray: true })
  getPatientInvites(@Param() { clinicId }: ClinicIdParams): Promise<ConfirmationResponse[]> {
    return this.invites.getPatientInvites(clinicId);
  }

  @Put('v1/clinics/:clinicId/invites/patients/:inviteId')
  @ApiTags('Clinics')
  @Authorize(Allow.server, Allow.clinicRecord)
  @ApiOperation({
    summary: 'Accept Patient Invitation',
    description:
      'Accept a pending invite from a user who would like to share their account with the clinic and become a patient. ' +
      'The patient record gets the permissions the share offered; an existing record is answered as it is. ' +
      `Refusals of the record (MRN, sites, patient limit) keep their own status and leave the invite pending. ${EXPIRY_NOTE}`,
  })
  @ApiBody({ type: AcceptPatientInvitationBody, required: false })
  @ApiOkResponse({ type: PatientResponse })
  acceptPatientInvitation(
    @Param() { clinicId, inviteId }: InviteParams,
    @Body() body: AcceptPatientInvitationBody,
  ): Promise<PatientResponse> {
    return this.invites.acceptPatientInvitation(clinicId, inviteId, body);
  }

  /** Companion route: the patient who sent the share cancels it, or the clinic declines it. */
  @Delete('v1/clinics/:clinicId/invites/patients/:inviteId')
  @HttpCode(200)
  @Header('content-type', 'text/plain; charset=utf-8')
  // Any user token reaches the handler, which allows the share's sender and the clinic's clinicians.
  @Authorize(Allow.server, Allow.clinicRecord, Allow.user)
  @ApiOperation({
    operationId: 'CancelOrDeclinePatientInvitation',
    summary: 'Cancel or Decline Patient Invitation',
    description:
      'The patient who sent the share cancels it (`canceled`); a server or anyone with a clinician record in the ' +
      'clinic declines it (`declined`). Allowed while the share is pending or declined. Not part of the Clinics API contract.',
  })
  @ApiResponse({ status: 200, description: 'OK' })
  async cancelOrDeclinePatientInvitation(
    @Param() { clinicId, inviteId }: InviteParams,
    @CurrentPrincipal() principal: Principal,
  ): Promise<string> {
    await this.invites.cancelOrDecline(principal, clinicId, inviteId);
    return OK;
  }

  /** Companion route: a patient shares their data with the clinic that has the share code. */
  @Post('confirm/send/invite/:userId/clinic')
  @HttpCode(200)
  @Authorize(Allow.server, Allow.self('userId'))
  @ApiOperation({
    operationId: 'ShareWithClinic',
    summary: 'Share With Clinic',
    description:
      'The user offers the clinic with this share code access to their data (`careteam_invitation`, pending). ' +
      '409 when the user is already a patient of the clinic or has a pending, unexpired share to it. ' +
      "The clinic's admins are e-mailed unless the clinic suppresses it. " +
      `${EXPIRY_NOTE} Not part of the Clinics API contract.`,
  })
  @ApiBody({ type: ShareWithClinicBody })
  @ApiOkResponse({ type: ConfirmationResponse })
  shareWithClinic(@Param() { userId }: UserIdParams, @Body() body: ShareWithClinicBody): Promise<ConfirmationResponse> {
    return this.invites.shareWithClinic(userId, body);
  }

  /** Companion route: the shares the user has sent that are waiting for a clinic. */
  @Get('confirm/invite/:userId')
  @Authorize(Allow.server, Allow.self('userId'))
  @ApiOperation({
    operationId: 'ListSentInvites',
    summary: 'List Sent Invites',
    description:
      "The user's pending shares with clinics, newest first ([] when none). Not part of the Clinics API contract.",
  })
  @ApiResponse({ status: 200, description: 'OK', type: ConfirmationResponse, isArray: true })
  listSentInvites(@Param() { userId }: UserIdParams): Promise<ConfirmationResponse[]> {
    return this.invites.listSentInvites(userId);
  }
}
