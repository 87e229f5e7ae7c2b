import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../../auth/authorization/access-rules';
import { Authorize, CurrentPrincipal } from '../../../auth/authorization/authorize.decorator';
import type { Principal } from '../../../auth/principal';
import { ClinicIdParams, UserIdParams } from '../../../common/validation/id-params.dto';
import { PaginationQuery } from '../../../common/validation/pagination.dto';
import { ErrorResponse } from '../dto/error.dto';
import { FindPatientsQuery } from './dto/find-patients.dto';
import { CreatePatientBody, PatientBody } from './dto/patient-body.dto';
import { PatientClinicRelationship } from './dto/patient-clinic.dto';
import { PatientCountResponse } from './dto/patient-count.dto';
import { ClinicPatientParams, PatientPermissionParams } from './dto/patient-params.dto';
import { PatientPermissionsDto, PatientReviewDto } from './dto/patient-parts.dto';
import { PatientResponse } from './dto/patient-response.dto';
import { PatientsService } from './patients.service';

/** Patients of a clinic, and a user's patient records across clinics (ListPatients has its own controller). */
@ApiTags('Clinics')
@Controller('v1')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Get('patients')
  @Authorize(Allow.user)
  @ApiOkResponse({ type: [PatientClinicRelationship] })
  findPatients(
    @CurrentPrincipal() principal: Principal,
    @Query() query: FindPatientsQuery,
  ): Promise<PatientClinicRelationship[]> {
    return this.patients.findPatients(principal, query);
  }

  @Get('patients/:userId/clinics')
  @Authorize(Allow.server, Allow.self('userId'))
  @ApiOkResponse({ type: [PatientClinicRelationship] })
  listClinicsForPatient(
    @Param() params: UserIdParams,
    @Query() query: PaginationQuery,
  ): Promise<PatientClinicRelationship[]> {
    return this.patients.listClinicsForPatient(params.userId, { offset: query.offset, limit: query.limit });
  }

  /** A custodial account for a new patient; answers 200. */
  @Post('clinics/:clinicId/patients')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiBody({ type: PatientBody, required: false })
  @ApiOkResponse({ type: PatientResponse })
  createPatientAccount(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClinicIdParams,
    @Body() body: PatientBody,
  ): Promise<PatientResponse> {
    return this.patients.createPatientAccount(principal, params.clinicId, body);
  }

  @Get('clinics/:clinicId/patients/:patientId')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: PatientResponse })
  getPatient(@Param() params: ClinicPatientParams): Promise<PatientResponse> {
    return this.patients.getPatient(params.clinicId, params.patientId);
  }

  @Post('clinics/:clinicId/patients/:patientId')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: CreatePatientBody, required: false })
  @ApiOkResponse({ type: PatientResponse })
  createPatientFromUser(
    @Param() params: ClinicPatientParams,
    @Body() body: CreatePatientBody,
  ): Promise<PatientResponse> {
    return this.patients.createPatientFromUser(params.clinicId, params.patientId, body);
  }

  @Put('clinics/:clinicId/patients/:patientId')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiBody({ type: PatientBody, required: false })
  @ApiOkResponse({ type: PatientResponse })
  updatePatient(@Param() params: ClinicPatientParams, @Body() body: PatientBody): Promise<PatientResponse> {
    return this.patients.updatePatient(params.clinicId, params.patientId, body);
  }

  @Delete('clinics/:clinicId/patients/:patientId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Allow.clinicAdmin, Allow.self('patientId'))
  @ApiNoContentResponse()
  deletePatient(@CurrentPrincipal() principal: Principal, @Param() params: ClinicPatientParams): Promise<void> {
    return this.patients.deletePatient(principal, params.clinicId, params.patientId);
  }

  /** 200 with the permissions, or 204 when none is left and the patient was removed. */
  @Put('clinics/:clinicId/patients/:patientId/permissions')
  @Authorize(Allow.self('patientId'))
  @ApiBody({ type: PatientPermissionsDto, required: false })
  @ApiOkResponse({ type: PatientPermissionsDto })
  async updatePatientPermissions(
    @Param() params: ClinicPatientParams,
    @Body() body: PatientPermissionsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PatientPermissionsDto | undefined> {
    const permissions = await this.patients.updatePatientPermissions(params.clinicId, params.patientId, body);
    if (!permissions) void reply.status(HttpStatus.NO_CONTENT);
    return permissions;
  }

  @Delete('clinics/:clinicId/patients/:patientId/permissions/:permission')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Allow.self('patientId'), Allow.serverWhenParam('permission', 'custodian'))
  @ApiNoContentResponse()
  deletePatientPermission(@Param() params: PatientPermissionParams): Promise<void> {
    return this.patients.deletePatientPermission(params.clinicId, params.patientId, params.permission);
  }

  @Put('clinics/:clinicId/patients/:patientId/reviews')
  @Authorize(Allow.clinicMember)
  @ApiOkResponse({ type: [PatientReviewDto] })
  updatePatientReviews(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClinicPatientParams,
  ): Promise<PatientReviewDto[]> {
    return this.patients.updatePatientReviews(principal, params.clinicId, params.patientId);
  }

  @Delete('clinics/:clinicId/patients/:patientId/reviews')
  @Authorize(Allow.clinicMember)
  @ApiOkResponse({ type: [PatientReviewDto] })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No review to delete' })
  @ApiConflictResponse({ type: ErrorResponse, description: "Cannot revert a different clinician's review" })
  deletePatientReviews(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClinicPatientParams,
  ): Promise<PatientReviewDto[]> {
    return this.patients.deletePatientReviews(principal, params.clinicId, params.patientId);
  }

  /** Records the reminder (no e-mail is sent here) and answers the patient. */
  @Post('clinics/:clinicId/patients/:patientId/upload_reminder')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.clinicMember)
  @ApiOkResponse({ type: PatientResponse })
  sendUploadReminder(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClinicPatientParams,
  ): Promise<PatientResponse> {
    return this.patients.sendUploadReminder(principal, params.clinicId, params.patientId);
  }

  @Get('clinics/:clinicId/patient_count')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: PatientCountResponse })
  getPatientCount(@Param() params: ClinicIdParams): Promise<PatientCountResponse> {
    return this.patients.getPatientCount(params.clinicId);
  }
}
