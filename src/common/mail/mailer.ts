export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The mailer port: SMTP when configured, otherwise the `outbound_emails` collection. */
export abstract class Mailer {
  /** Resolves once the message is accepted for delivery; rejects when it was not. */
  abstract send(message: MailMessage): Promise<void>;
}
