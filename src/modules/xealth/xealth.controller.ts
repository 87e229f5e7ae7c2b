import { Controller, Get, Header, HttpCode, HttpStatus, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../auth/authorization/authorize.decorator';
import { ApiError, UNKNOWN_ROUTE_MESSAGE } from '../../common/errors/api-error';
import { ReceivedBody } from '../redox/redox-body.decorator';
import { XealthNotificationService } from './orders/xealth-notification.service';
import type { FinalResponse } from './preorder/xealth-preorder.service';
import { XealthPreorderService } from './preorder/xealth-preorder.service';
import type { FormResponse } from './preorder/xealth-forms';
import { ProgramsResponse, XealthProgramsService } from './programs/xealth-programs.service';
import { XealthReportService } from './report/xealth-report.service';
import { XealthBearerGuard, XealthEnabledGuard } from './xealth.guards';

const BEARER = 'the Authorization: Bearer header (XEALTH_BEARER_TOKEN)';

/** The Xealth webhooks (bearer token, no session token) and the report viewer (restricted token). */
@ApiTags('Clinics', 'Internal')
@Controller('v1/xealth')
@UseGuards(XealthEnabledGuard)
export class XealthController {
  constructor(
    private readonly preorders: XealthPreorderService,
    private readonly notifications: XealthNotificationService,
    private readonly programs: XealthProgramsService,
    private readonly reports: XealthReportService,
  ) {}

  @Post('preorder')
  @HttpCode(HttpStatus.OK)
  @Public(BEARER)
  @UseGuards(XealthBearerGuard)
  @ApiOkResponse()
  xealthPreorder(@ReceivedBody() body: unknown): Promise<FormResponse | FinalResponse> {
    return this.preorders.handle(body);
  }

  @Post('notification')
  @HttpCode(HttpStatus.OK)
  @Public(BEARER)
  @UseGuards(XealthBearerGuard)
  @ApiOkResponse()
  async xealthNotification(@ReceivedBody() body: unknown): Promise<void> {
    await this.notifications.handle(body);
  }

  @Put('programs')
  @HttpCode(HttpStatus.OK)
  @Public(BEARER)
  @UseGuards(XealthBearerGuard)
  @ApiOkResponse()
  xealthGetPrograms(@ReceivedBody() body: unknown): Promise<ProgramsResponse> {
    return this.programs.getPrograms(body);
  }

  @Put('program')
  @HttpCode(HttpStatus.OK)
  @Public(BEARER)
  @UseGuards(XealthBearerGuard)
  @ApiOkResponse()
  xealthGetProgramUrl(@ReceivedBody() body: unknown): Promise<{ url: string }> {
    return this.programs.getProgramUrl(body);
  }

  /** The PDF.js viewer showing the patient's report; the restricted token protects it. */
  @Get('report/web/viewer.html')
  @Public('the restricted_token query parameter (a restricted token of the patient)')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiQuery({ name: 'clinicId', required: true, type: String })
  @ApiQuery({ name: 'patientId', required: true, type: String })
  @ApiQuery({ name: 'restricted_token', required: true, type: String })
  @ApiOkResponse()
  viewPDFReport(
    @Query('clinicId') clinicId: unknown,
    @Query('patientId') patientId: unknown,
    @Query('restricted_token') restrictedToken: unknown,
  ): Promise<string> {
    return this.reports.viewerPage({ clinicId, patientId, restricted_token: restrictedToken });
  }

  /** The viewer's scripts and style sheet (from the pdfjs-dist package); nothing else is served. */
  @Get('report/:folder/:file')
  @Public('nothing: the report viewer assets are public')
  @ApiExcludeEndpoint()
  async viewerAsset(
    @Param('folder') folder: string,
    @Param('file') file: string,
    @Res({ passthrough: false }) reply: FastifyReply,
  ): Promise<void> {
    await this.sendAsset(reply, `${folder}/${file}`);
  }

  /** The images the viewer's style sheet refers to. */
  @Get('report/web/images/:file')
  @Public('nothing: the report viewer assets are public')
  @ApiExcludeEndpoint()
  async viewerImage(@Param('file') file: string, @Res({ passthrough: false }) reply: FastifyReply): Promise<void> {
    await this.sendAsset(reply, `web/images/${file}`);
  }

  private async sendAsset(reply: FastifyReply, path: string): Promise<void> {
    const asset = await this.reports.asset(path);
    if (!asset) throw ApiError.notFoundMessage(UNKNOWN_ROUTE_MESSAGE);
    await reply
      .status(200)
      .header('content-type', asset.contentType)
      .header('cache-control', 'public, max-age=86400')
      .send(asset.body);
  }
}
