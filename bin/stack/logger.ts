import pino, { type DestinationStream, type Logger } from 'pino';
import { databaseError } from '../../db/database-error';

/**
 * JSON lines on stdout (or `destination`); secrets are redacted by key name wherever they appear in a logged object.
 * A logged database error keeps its SQLSTATE and constraint but not the driver's message, which holds the SQL and
 * its values (issue 12).
 */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    serializers: { err: (error: Error) => databaseError(error) ?? pino.stdSerializers.err(error) },
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
  };
  return destination ? pino(options, destination) : pino(options);
}
