import { Body, Controller, Headers, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../../auth/authorization/access-rules';
import { Authorize } from '../../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../../common/validation/id-params.dto';
import { GenerateMergeReportBody } from './dto/merge-body.dto';
import type { MergePlan } from './merge-planner';
import { writeMergeReport } from './merge-report.workbook';
import { MergesService } from './merges.service';

/** The content type the established service gives the workbook. */
export const MERGE_REPORT_CONTENT_TYPE = 'application/vnd.ms-excel';

@ApiTags('Clinics')
@Controller('v1/clinics')
export class MergesController {
  constructor(private readonly merges: MergesService) {}

  /**
   * The plan for merging the body's clinic into the path's: JSON when `Accept` is exactly
   * `application/json`, otherwise an .xlsx attachment.
   */
  @Post(':clinicId/reports/merge')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: GenerateMergeReportBody, required: false })
  @ApiOkResponse()
  async generateMergeReport(
    @Param() params: ClinicIdParams,
    @Body() body: GenerateMergeReportBody,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MergePlan | Buffer> {
    const plan = await this.merges.planFor(params.clinicId, body.sourceId);
    if (accept === 'application/json') return plan;
    const seconds = Math.floor(Date.parse(plan.generatedTime) / 1000);
    void reply
      .header('content-type', MERGE_REPORT_CONTENT_TYPE)
      .header('content-disposition', `attachment; filename=merge-report-${seconds}.xlsx`);
    return writeMergeReport(plan);
  }
}
