/**
 * Sending Verso's few emails (address confirmation) through the SMTP transport in SMTP_URL, with
 * nodemailer. Without SMTP_URL there is no mailer, and every address counts as verified.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';

/** One plain-text message. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  /** Sends one message; rejects when the SMTP server refuses it or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  /** Closes the transport's connections. */
  close(): void;
}

/** The configured mailer, or null when SMTP_URL is unset. */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'smtpFrom'>): Mailer | null {
  if (!config.smtpUrl) return null;
  // nodemailer waits up to 2 minutes to connect and 10 minutes on a silent socket by default; sign-up
  // awaits the confirmation email, so a stalled SMTP server must cost seconds, not minutes.
  // nodemailer reads a URL's options from its query and ignores options passed beside a URL, so
  // the timeouts go into the query (unless SMTP_URL sets its own).
  const url = new URL(config.smtpUrl);
  for (const [name, ms] of Object.entries(SMTP_TIMEOUTS)) if (!url.searchParams.has(name)) url.searchParams.set(name, String(ms));
  const transport = nodemailer.createTransport(url.href);
  return {
    send: async (message) => {
      await transport.sendMail({ from: config.smtpFrom, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}

/** How long one send may wait on the SMTP server at each stage, in milliseconds. */
export const SMTP_TIMEOUTS = { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10_000 } as const;

const perConfig = new WeakMap<object, Mailer | null>();

/** The process's mailer for this configuration (created once), or null without SMTP_URL. */
export function mailerFor(config: Config): Mailer | null {
  if (!perConfig.has(config)) perConfig.set(config, createMailer(config));
  return perConfig.get(config)!;
}
