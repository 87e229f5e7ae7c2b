import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createTransport, Transporter } from 'nodemailer';
import { mailConfig } from '../../config/mail.config';
import { Mailer, MailMessage } from './mailer';

const SMTP_TIMEOUT_MS = 10_000;

@Injectable()
export class SmtpMailer extends Mailer implements OnApplicationShutdown {
  private transport?: Transporter;

  constructor(@Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>) {
    super();
  }

  async send(message: MailMessage): Promise<void> {
    this.transport ??= createTransport({
      url: this.config.smtpUrl,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    } as Parameters<typeof createTransport>[0]);
    await this.transport.sendMail({ from: this.config.from, ...message });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
