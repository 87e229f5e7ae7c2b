import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize } from '../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../common/validation/id-params.dto';
import { ClinicSettingsService } from '../clinics/clinics/clinic-settings.service';
import { ClinicsService } from '../clinics/clinics/clinics.service';
import { ClinicResponse } from '../clinics/clinics/dto/clinic-response.dto';
import {
  MembershipRestrictionsDto,
  MrnSettingsDto,
  PatientCountSettingsDto,
} from '../clinics/clinics/dto/clinic-settings.dto';
import { LegacyUserParams } from './dto/legacy-user-params.dto';
import { UpdateTierBody } from './dto/update-tier.dto';

/** Clinic operations for other services and operators. */
@ApiTags('Clinics', 'Internal')
@Controller('v1')
export class InternalClinicsController {
  constructor(
    private readonly clinics: ClinicsService,
    private readonly settings: ClinicSettingsService,
  ) {}

  /** Creates an empty, unmigrated clinic administered by a legacy clinician account. */
  @Post('clinicians/:userId/migrate')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiOkResponse({ type: ClinicResponse })
  enableNewClinicExperience(@Param() params: LegacyUserParams): Promise<ClinicResponse> {
    return this.clinics.enableNewClinicExperience(params.userId);
  }

  /** Answers 200 with an empty body. */
  @Post('clinics/:clinicId/tier')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: UpdateTierBody, required: false })
  @ApiOkResponse()
  updateTier(@Param() params: ClinicIdParams, @Body() body: UpdateTierBody): Promise<void> {
    return this.settings.updateTier(params.clinicId, body.tier);
  }

  @Put('clinics/:clinicId/membership_restrictions')
  @Authorize(Allow.server)
  @ApiBody({ type: MembershipRestrictionsDto, required: false })
  @ApiOkResponse({ type: MembershipRestrictionsDto })
  updateMembershipRestrictions(
    @Param() params: ClinicIdParams,
    @Body() body: MembershipRestrictionsDto,
  ): Promise<MembershipRestrictionsDto> {
    return this.clinics.updateMembershipRestrictions(params.clinicId, body);
  }

  @Get('clinics/:clinicId/settings/mrn')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: MrnSettingsDto })
  getMRNSettings(@Param() params: ClinicIdParams): Promise<MrnSettingsDto> {
    return this.settings.getMrnSettings(params.clinicId);
  }

  @Put('clinics/:clinicId/settings/mrn')
  @Authorize(Allow.server)
  @ApiBody({ type: MrnSettingsDto, required: false })
  @ApiOkResponse({ type: MrnSettingsDto })
  updateMRNSettings(@Param() params: ClinicIdParams, @Body() body: MrnSettingsDto): Promise<MrnSettingsDto> {
    return this.settings.updateMrnSettings(params.clinicId, body);
  }

  /** Answers the settings in force (`{}` where the limits do not apply). */
  @Put('clinics/:clinicId/settings/patient_count')
  @Authorize(Allow.server)
  @ApiBody({ type: PatientCountSettingsDto, required: false })
  @ApiOkResponse({ type: PatientCountSettingsDto })
  updatePatientCountSettings(
    @Param() params: ClinicIdParams,
    @Body() body: PatientCountSettingsDto,
  ): Promise<PatientCountSettingsDto> {
    return this.settings.updatePatientCountSettings(params.clinicId, body);
  }
}
