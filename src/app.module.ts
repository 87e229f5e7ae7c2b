import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import { MailModule } from './common/mail/mail.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { appConfig } from './config/app.config';
import { authConfig } from './config/auth.config';
import { clinicsConfig } from './config/clinics.config';
import { databaseConfig } from './config/database.config';
import { httpConfig } from './config/http.config';
import { mailConfig } from './config/mail.config';
import { redoxConfig } from './config/redox.config';
import { xealthConfig } from './config/xealth.config';
import { DatabaseModule } from './database/database.module';
import { WriteGateModule } from './database/write-gate.module';
import { HealthModule } from './health/health.module';
import { ClinicsModule } from './modules/clinics/clinics.module';
import { ConfirmationsModule } from './modules/confirmations/confirmations.module';
import { InternalModule } from './modules/internal/internal.module';
import { RedoxModule } from './modules/redox/redox.module';
import { XealthModule } from './modules/xealth/xealth.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      load: [appConfig, databaseConfig, authConfig, mailConfig, clinicsConfig, redoxConfig, httpConfig, xealthConfig],
    }),
    DatabaseModule,
    WriteGateModule,
    AuthModule,
    MailModule,
    HealthModule,
    MetricsModule,
    ClinicsModule,
    InternalModule,
    ConfirmationsModule,
    RedoxModule,
    XealthModule,
  ],
})
export class AppModule {}
