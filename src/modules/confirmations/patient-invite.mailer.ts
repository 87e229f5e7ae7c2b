import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Mailer } from '../../common/mail/mailer';
import { mailConfig } from '../../config/mail.config';
import { escapeHtml } from './clinician-invite.mailer';

export const PATIENT_INVITE_SUBJECT = 'New Tidepool share invitation received';

export interface PatientInviteMail {
  /** A clinic admin's address. */
  to: string;
  clinicName: string;
  patientName: string;
}

/** The "New Tidepool share invitation received" message to a clinic's admins. */
@Injectable()
export class PatientInviteMailer {
  constructor(
    private readonly mailer: Mailer,
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
  ) {}

  /** Where the clinic's pending shares are reviewed. */
  link(): string {
    return `${this.config.webUrl}/clinic-workspace`;
  }

  async send(mail: PatientInviteMail): Promise<void> {
    const link = this.link();
    const patient = mail.patientName || 'A Tidepool user';
    await this.mailer.send({
      to: mail.to,
      subject: PATIENT_INVITE_SUBJECT,
      text:
        `${patient} would like to share their Tidepool data with ${mail.clinicName}.\n\n` +
        `Review and accept the invitation in your clinic workspace: ${link}\n`,
      html:
        `<p>${escapeHtml(patient)} would like to share their Tidepool data with <strong>${escapeHtml(mail.clinicName)}</strong>.</p>` +
        `<p><a href="${escapeHtml(link)}">Review and accept the invitation in your clinic workspace</a></p>`,
    });
  }
}
