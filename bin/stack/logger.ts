import pino, { type Logger } from 'pino';

/** JSON lines on stdout; secrets are redacted by key name wherever they appear in a logged object. */
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        '*.password',
        '*.token',
        '*.accessToken',
        '*.refreshToken',
        '*.apiKey',
        '*.authorization',
        '*.code_verifier',
      ],
      censor: '[redacted]',
    },
  });
}
