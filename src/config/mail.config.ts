import { registerAs } from '@nestjs/config';
import { Expose } from 'class-transformer';
import { IsOptional, IsString, IsUrl, Matches } from 'class-validator';
import { validateSection } from './validate-section';

class MailEnvironment {
  /** e.g. smtp://user:pass@mail.example.com:587 or smtps://…; unset: messages go to `outbound_emails`. */
  @Expose()
  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;
  @Expose() @IsString() MAIL_FROM: string = 'Tidepool <noreply@tidepool.org>';
  /** The clinic web application, for links in e-mails. */
  @Expose()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  WEB_URL: string = 'http://localhost:3000';
}

export interface MailConfig {
  smtpUrl?: string;
  from: string;
  webUrl: string;
}

export function loadMailConfig(): MailConfig {
  const env = validateSection(MailEnvironment);
  return { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, webUrl: env.WEB_URL.replace(/\/+$/, '') };
}

export const mailConfig = registerAs('mail', loadMailConfig);
