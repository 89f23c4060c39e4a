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
  const transport = nodemailer.createTransport(config.smtpUrl);
  return {
    send: async (message) => {
      await transport.sendMail({ from: config.smtpFrom, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}

const perConfig = new WeakMap<object, Mailer | null>();

/** The process's mailer for this configuration (created once), or null without SMTP_URL. */
export function mailerFor(config: Config): Mailer | null {
  if (!perConfig.has(config)) perConfig.set(config, createMailer(config));
  return perConfig.get(config)!;
}
