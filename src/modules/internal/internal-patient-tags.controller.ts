import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize } from '../../auth/authorization/authorize.decorator';
import { PatientTagParams, TIDEPOOL_USER_IDS_SCHEMA } from '../clinics/tags/dto/patient-tag.dto';
import { PatientTagsService } from '../clinics/tags/patient-tags.service';
import { parseTidepoolUserIds } from './dto/tidepool-user-ids';

/**
 * Adding a tag to, or removing it from, many patients of a clinic. No body or `null` means all the
 * clinic's patients; otherwise 1 to 1000 distinct user ids.
 */
@ApiTags('Clinics', 'Internal')
@Controller('v1/clinics/:clinicId/patients')
export class InternalPatientTagsController {
  constructor(private readonly tags: PatientTagsService) {}

  /** 404 `patient tag not found` when the clinic does not have the tag. */
  @Post('assign_tag/:patientTagId')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiBody({ schema: TIDEPOOL_USER_IDS_SCHEMA, required: false })
  @ApiOkResponse()
  assignPatientTagToClinicPatients(@Param() params: PatientTagParams, @Body() body: unknown): Promise<void> {
    return this.tags.assignPatientTag(params.clinicId, params.patientTagId, parseTidepoolUserIds(body));
  }

  @Post('delete_tag/:patientTagId')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiBody({ schema: TIDEPOOL_USER_IDS_SCHEMA, required: false })
  @ApiOkResponse()
  deletePatientTagFromClinicPatients(@Param() params: PatientTagParams, @Body() body: unknown): Promise<void> {
    return this.tags.removePatientTag(params.clinicId, params.patientTagId, parseTidepoolUserIds(body));
  }
}
