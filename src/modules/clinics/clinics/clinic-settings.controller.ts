import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/authorization/access-rules';
import { Authorize } from '../../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../../common/validation/id-params.dto';
import { ClinicSettingsService } from './clinic-settings.service';
import { ClinicsService } from './clinics.service';
import {
  MembershipRestrictionsDto,
  PatientCountSettingsDto,
  UpdateSuppressedNotificationsBody,
} from './dto/clinic-settings.dto';

@ApiTags('Clinics')
@Controller('v1/clinics/:clinicId')
export class ClinicSettingsController {
  constructor(
    private readonly clinics: ClinicsService,
    private readonly settings: ClinicSettingsService,
  ) {}

  @Get('membership_restrictions')
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiOkResponse({ type: MembershipRestrictionsDto })
  listMembershipRestrictions(@Param() params: ClinicIdParams): Promise<MembershipRestrictionsDto> {
    return this.clinics.getMembershipRestrictions(params.clinicId);
  }

  /** Answers 200 with an empty body. */
  @Post('suppressed_notifications')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.clinicAdmin)
  @ApiBody({ type: UpdateSuppressedNotificationsBody, required: false })
  @ApiOkResponse()
  updateSuppressedNotifications(
    @Param() params: ClinicIdParams,
    @Body() body: UpdateSuppressedNotificationsBody,
  ): Promise<void> {
    return this.settings.updateSuppressedNotifications(params.clinicId, body.suppressedNotifications);
  }

  @Get('settings/patient_count')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: PatientCountSettingsDto })
  getPatientCountSettings(@Param() params: ClinicIdParams): Promise<PatientCountSettingsDto> {
    return this.settings.getPatientCountSettings(params.clinicId);
  }
}
