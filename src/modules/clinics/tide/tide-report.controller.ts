import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/authorization/access-rules';
import { Authorize } from '../../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../../common/validation/id-params.dto';
import { TideReportQuery, TideResponse, TideResultPatient } from './dto/tide-report.dto';
import { TideReportService } from './tide-report.service';

@ApiTags('Clinics')
@ApiExtraModels(TideResultPatient)
@Controller('v1/clinics/:clinicId/tide_report')
export class TideReportController {
  constructor(private readonly reports: TideReportService) {}

  @Get()
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: TideResponse })
  tideReport(@Param() params: ClinicIdParams, @Query() query: TideReportQuery): Promise<TideResponse> {
    return this.reports.tideReport(params.clinicId, query);
  }
}
