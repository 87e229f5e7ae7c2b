import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize } from '../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../common/validation/id-params.dto';
import { EhrSettingsDto } from '../clinics/ehr/dto/ehr-settings.dto';
import { EhrSettingsService } from '../clinics/ehr/ehr-settings.service';
import { PatientIdParams } from '../clinics/patients/dto/patient-params.dto';
import { ScheduledReportsService } from './scheduled-reports/scheduled-reports.service';

/** A clinic's EHR settings, and the scheduling of summary and report re-sends. */
@ApiTags('Clinics', 'Internal')
@Controller('v1')
export class EhrController {
  constructor(
    private readonly settings: EhrSettingsService,
    private readonly scheduledReports: ScheduledReportsService,
  ) {}

  @Get('clinics/:clinicId/settings/ehr')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: EhrSettingsDto })
  getEHRSettings(@Param() params: ClinicIdParams): Promise<EhrSettingsDto> {
    return this.settings.getEhrSettings(params.clinicId);
  }

  /** The whole object replaces the stored settings; answers what GetEHRSettings answers. */
  @Put('clinics/:clinicId/settings/ehr')
  @Authorize(Allow.server)
  @ApiBody({ type: EhrSettingsDto, required: false })
  @ApiOkResponse({ type: EhrSettingsDto })
  updateEHRSettings(@Param() params: ClinicIdParams, @Body() body: EhrSettingsDto): Promise<EhrSettingsDto> {
    return this.settings.updateEhrSettings(params.clinicId, body);
  }

  /** Schedules a re-send for every patient of the clinic with an active subscription; 202, empty body. */
  @Post('clinics/:clinicId/ehr/sync')
  @HttpCode(HttpStatus.ACCEPTED)
  @Authorize(Allow.server)
  @ApiAcceptedResponse()
  async syncEHRData(@Param() params: ClinicIdParams): Promise<void> {
    await this.scheduledReports.scheduleForClinic(params.clinicId);
  }

  /** Schedules a re-send for the patient in every clinic reporting after uploads; always 202. */
  @Post('patients/:patientId/ehr/sync')
  @HttpCode(HttpStatus.ACCEPTED)
  @Authorize(Allow.server)
  @ApiAcceptedResponse()
  async syncEHRDataForPatient(@Param() params: PatientIdParams): Promise<void> {
    await this.scheduledReports.scheduleForPatient(params.patientId);
  }
}
