import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiInternalServerErrorResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Allow } from '../../../auth/authorization/access-rules';
import { Authorize, CurrentPrincipal } from '../../../auth/authorization/authorize.decorator';
import type { Principal } from '../../../auth/principal';
import { ClinicIdParams } from '../../../common/validation/id-params.dto';
import { ClinicsService } from './clinics.service';
import { ClinicBody } from './dto/clinic-body.dto';
import { ClinicResponse } from './dto/clinic-response.dto';
import { ErrorResponse } from '../dto/error.dto';
import { ListClinicsQuery } from './dto/list-clinics.dto';
import { ShareCodeParams } from '../dto/params.dto';

@ApiTags('Clinics')
@Controller('v1/clinics')
export class ClinicsController {
  constructor(private readonly clinics: ClinicsService) {}

  @Get()
  @Authorize(Allow.server)
  @ApiOkResponse({ type: [ClinicResponse] })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiInternalServerErrorResponse({ type: ErrorResponse })
  listClinics(@Query() query: ListClinicsQuery): Promise<ClinicResponse[]> {
    return this.clinics.listClinics(query);
  }

  @Post()
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.user)
  @ApiBody({ type: ClinicBody, required: false })
  @ApiOkResponse({ type: ClinicResponse })
  @ApiBadRequestResponse()
  @ApiForbiddenResponse()
  @ApiInternalServerErrorResponse()
  createClinic(@CurrentPrincipal() principal: Principal, @Body() body: ClinicBody): Promise<ClinicResponse> {
    return this.clinics.createClinic(principal, body);
  }

  @Get('share_code/:shareCode')
  @Authorize(Allow.server, Allow.user)
  @ApiOkResponse({ type: ClinicResponse })
  getClinicByShareCode(@Param() params: ShareCodeParams): Promise<ClinicResponse> {
    return this.clinics.getClinicByShareCode(params.shareCode);
  }

  @Get(':clinicId')
  @Authorize(Allow.server, Allow.user)
  @ApiOkResponse({ type: ClinicResponse })
  @ApiBadRequestResponse()
  @ApiForbiddenResponse()
  @ApiInternalServerErrorResponse()
  getClinic(@Param() params: ClinicIdParams): Promise<ClinicResponse> {
    return this.clinics.getClinic(params.clinicId);
  }

  @Put(':clinicId')
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiBody({ type: ClinicBody, required: false })
  @ApiOkResponse({ type: ClinicResponse })
  @ApiBadRequestResponse()
  @ApiForbiddenResponse()
  @ApiInternalServerErrorResponse()
  updateClinic(@Param() params: ClinicIdParams, @Body() body: ClinicBody): Promise<ClinicResponse> {
    return this.clinics.updateClinic(params.clinicId, body);
  }

  @Delete(':clinicId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiNoContentResponse()
  deleteClinic(@CurrentPrincipal() principal: Principal, @Param() params: ClinicIdParams): Promise<void> {
    return this.clinics.deleteClinic(principal, params.clinicId);
  }
}
