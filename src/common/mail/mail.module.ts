import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { mailConfig } from '../../config/mail.config';
import { refusedInsideWriteGates } from '../../database/write-gate';
import { Mailer } from './mailer';
import { OutboundEmailRecord, OutboundEmailSchema } from './outbound-email.schema';
import { OutboxMailer } from './outbox.mailer';
import { SmtpMailer } from './smtp.mailer';

@Global()
@Module({
  imports: [MongooseModule.forFeature([{ name: OutboundEmailRecord.name, schema: OutboundEmailSchema }])],
  providers: [
    SmtpMailer,
    OutboxMailer,
    {
      provide: Mailer,
      inject: [mailConfig.KEY, SmtpMailer, OutboxMailer],
      useFactory: (config: ConfigType<typeof mailConfig>, smtp: SmtpMailer, outbox: OutboxMailer): Mailer =>
        refusedInsideWriteGates(config.smtpUrl ? smtp : outbox, 'sending e-mail'),
    },
  ],
  exports: [Mailer],
})
export class MailModule {}
