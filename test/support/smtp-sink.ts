import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { mailConfig } from '../../src/config/mail.config';
import { TestApp, useTestApp } from './test-app';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** The message with quoted-printable soft breaks and escapes undone, for matching text and links. */
  decoded: string;
}

function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** A real SMTP server on loopback that keeps what it receives; `failNext` makes it refuse messages. */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  failNext = false;

  private server?: SMTPServer;
  port = 0;

  private constructor() {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        stream.on('end', () => {
          if (sink.failNext) {
            const error = new Error('mailbox unavailable') as Error & { responseCode: number };
            error.responseCode = 550;
            callback(error);
            return;
          }
          const unfolded = raw.replace(/\r\n[ \t]+/g, ' ');
          sink.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: unfolded,
            subject: /^Subject: (.*)$/m.exec(unfolded)?.[1]?.trim() ?? '',
            decoded: decodeQuotedPrintable(raw),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sink.server = server;
    sink.port = (server.server.address() as AddressInfo).port;
    return sink;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface MailTestApp {
  /** The test app, as `useTestApp` returns it. */
  app: TestApp;
  /** The sink the app's mailer sends to (accepting again before each test). */
  readonly smtp: SmtpSink;
}

/**
 * `useTestApp` whose mailer sends to an SMTP sink of its own, with `webUrl` as the web application
 * for links. Call it inside a `describe`; use `.smtp` inside tests and hooks only.
 */
export function useMailTestApp(webUrl: string): MailTestApp {
  let sink: SmtpSink | undefined;
  const running = (): SmtpSink => {
    if (!sink) throw new Error('the SMTP sink is not running: use .smtp inside tests and hooks');
    return sink;
  };
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => {
    await sink?.stop();
  });
  const app = useTestApp(() => ({
    override: (builder) =>
      builder
        .overrideProvider(mailConfig.KEY)
        .useValue({ smtpUrl: running().url, from: 'Clinics <noreply@example.test>', webUrl }),
  }));
  beforeEach(() => {
    running().failNext = false;
  });
  return {
    app,
    get smtp() {
      return running();
    },
  };
}
