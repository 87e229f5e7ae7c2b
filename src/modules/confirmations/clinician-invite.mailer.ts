import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Mailer } from '../../common/mail/mailer';
import { mailConfig } from '../../config/mail.config';

export interface ClinicianInviteMail {
  to: string;
  clinicName: string;
  inviterName: string;
  /** Existing accounts are sent to log in, others to sign up as a clinician. */
  inviteeHasAccount: boolean;
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The "Invitation to join <clinic>" message. */
@Injectable()
export class ClinicianInviteMailer {
  constructor(
    private readonly mailer: Mailer,
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
  ) {}

  link(mail: Pick<ClinicianInviteMail, 'to' | 'inviteeHasAccount'>): string {
    const path = mail.inviteeHasAccount ? 'login' : 'signup/clinician';
    return `${this.config.webUrl}/${path}?inviteEmail=${encodeURIComponent(mail.to)}`;
  }

  async send(mail: ClinicianInviteMail): Promise<void> {
    const link = this.link(mail);
    const inviter = mail.inviterName || 'A clinic administrator';
    const action = mail.inviteeHasAccount
      ? 'Log in to accept the invitation'
      : 'Create your clinician account to accept';
    await this.mailer.send({
      to: mail.to,
      subject: `Invitation to join ${mail.clinicName}`,
      text: `${inviter} has invited you to join ${mail.clinicName} on Tidepool.\n\n${action}: ${link}\n`,
      html:
        `<p>${escapeHtml(inviter)} has invited you to join <strong>${escapeHtml(mail.clinicName)}</strong> on Tidepool.</p>` +
        `<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>`,
    });
  }
}
