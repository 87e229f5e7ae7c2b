import { Body, Controller, Delete, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize } from '../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../common/validation/id-params.dto';
import { PatientIdParams, SummaryIdParams } from '../clinics/patients/dto/patient-params.dto';
import { PatientSummaryBody } from '../clinics/patients/dto/patient-summary.dto';
import { PatientsService } from '../clinics/patients/patients.service';

/** Patient operations for other services: counts and summaries. */
@ApiTags('Clinics', 'Internal')
@Controller('v1')
export class InternalPatientsController {
  constructor(private readonly patients: PatientsService) {}

  /** Recounts the clinic's patients; answers 200 with an empty body. */
  @Post('clinics/:clinicId/patient_count/refresh')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiOkResponse()
  refreshPatientCount(@Param() params: ClinicIdParams): Promise<void> {
    return this.patients.refreshPatientCount(params.clinicId);
  }

  /**
   * Stores the user's summary statistics on all their patient records (no body removes the summary).
   * 200 with an empty body; 204 when the user is nobody's patient.
   */
  @Post('patients/:patientId/summary')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: PatientSummaryBody, required: false })
  @ApiOkResponse()
  @ApiNotFoundResponse()
  async updatePatientSummary(
    @Param() params: PatientIdParams,
    @Body() body: PatientSummaryBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const hasBody = request.body !== undefined && request.body !== null;
    const matched = await this.patients.updatePatientSummary(params.patientId, hasBody ? body : undefined);
    if (!matched) void reply.status(HttpStatus.NO_CONTENT);
  }

  /** Removes the statistics with this id wherever they are stored: 200, or 204 when there were none. */
  @Delete('summaries/:summaryId/clinics')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiOkResponse()
  @ApiResponse({ status: HttpStatus.NO_CONTENT, description: 'No Change' })
  async deletePatientSummary(
    @Param() params: SummaryIdParams,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.patients.deletePatientSummary(params.summaryId))) void reply.status(HttpStatus.NO_CONTENT);
  }
}
