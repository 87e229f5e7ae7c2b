import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { mailConfig } from '../../config/mail.config';
import { Mailer, MailMessage } from './mailer';
import { OutboundEmailRecord } from './outbound-email.schema';

/** Writes each message to `outbound_emails` and says so in the log. */
@Injectable()
export class OutboxMailer extends Mailer {
  private readonly logger = new Logger('OutboxMailer');

  constructor(
    @InjectModel(OutboundEmailRecord.name) private readonly outbox: Model<OutboundEmailRecord>,
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
  ) {
    super();
  }

  async send(message: MailMessage): Promise<void> {
    const record = await this.outbox.create({ ...message, from: this.config.from, createdTime: new Date() });
    // The recipient is personal data: the log names the stored message, not the address.
    this.logger.log(
      `SMTP_URL is unset: e-mail "${message.subject}" stored in outbound_emails as ${String(record._id)}`,
    );
  }
}
