import { Body, Controller, Delete, HttpCode, HttpStatus, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/authorization/access-rules';
import { Authorize } from '../../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../../common/validation/id-params.dto';
import { PatientTagResponse, SiteResponse } from '../clinics/dto/clinic-response.dto';
import { ErrorResponse } from '../dto/error.dto';
import type { SiteResult } from '../sites/dto/site.dto';
import { PatientTagBody, PatientTagParams } from './dto/patient-tag.dto';
import { PatientTagsService } from './patient-tags.service';

/** A clinic's patient tags (the bulk assignment routes are in the Internal module). */
@ApiTags('Clinics')
@Controller('v1/clinics/:clinicId/patient_tags')
export class PatientTagsController {
  constructor(private readonly tags: PatientTagsService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiBody({ type: PatientTagBody, required: false })
  @ApiOkResponse({ type: PatientTagResponse })
  createPatientTag(@Param() params: ClinicIdParams, @Body() body: PatientTagBody): Promise<PatientTagResponse> {
    return this.tags.createPatientTag(params.clinicId, body.name);
  }

  @Put(':patientTagId')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiBody({ type: PatientTagBody, required: false })
  @ApiOkResponse({ type: PatientTagResponse })
  updatePatientTag(@Param() params: PatientTagParams, @Body() body: PatientTagBody): Promise<PatientTagResponse> {
    return this.tags.updatePatientTag(params.clinicId, params.patientTagId, body.name);
  }

  /** Also removes the tag from every patient of the clinic. */
  @Delete(':patientTagId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiNoContentResponse()
  deletePatientTag(@Param() params: PatientTagParams): Promise<void> {
    return this.tags.deletePatientTag(params.clinicId, params.patientTagId);
  }

  /** Answers the new site with `patients` (the tag's patient count), as `site.v1` documents it. */
  @Post(':patientTagId/site')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiOkResponse({ type: SiteResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The clinic already has the maximum number of sites' })
  convertPatientTagToSite(@Param() params: PatientTagParams): Promise<SiteResult> {
    return this.tags.convertPatientTagToSite(params.clinicId, params.patientTagId);
  }
}
