import nodemailer, { type Transporter } from 'nodemailer';

/** SMTP_URL, e.g. smtp://user:pass@host:587 or smtps://host:465; maildev on :1025 in development. */
export function createMailer(smtpUrl: string): Transporter {
  return nodemailer.createTransport(smtpUrl);
}
