import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../auth/authorization/authorize.decorator';
import { MetricsSettings } from './metrics-settings';
import { ServiceMetrics } from './service-metrics';

@ApiTags('Health')
@Public()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly settings: MetricsSettings,
  ) {}

  /** Request, database and process metrics for Prometheus; answered 404 when `METRICS_ENABLED=false`. */
  @Get('metrics')
  @ApiOperation({ operationId: 'Metrics', summary: 'Prometheus metrics in the text exposition format' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'Metrics are turned off' })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    // The same answer as a path the service does not have.
    if (!this.settings.enabled) throw new NotFoundException();
    void reply.header('content-type', this.metrics.contentType).header('cache-control', 'no-store');
    return this.metrics.render();
  }
}
