import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { httpConfig } from '../../config/http.config';

/** Whether the service collects and serves metrics (`METRICS_ENABLED`). */
@Injectable()
export class MetricsSettings {
  constructor(@Inject(httpConfig.KEY) private readonly config: ConfigType<typeof httpConfig>) {}

  get enabled(): boolean {
    return this.config.metricsEnabled;
  }
}
