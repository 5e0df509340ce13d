import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * Structured logs (pino). Nothing here logs a request body, a header or a personal-data
 * value; the redaction paths are a second line of defence for anything passed by mistake.
 */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'privacy-ledger' },
      redact: { paths: ['value', '*.value', 'body', '*.body', 'headers', '*.headers', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination,
  );
}

/** Nest's LoggerService over pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

export const ROOT_LOGGER = Symbol('RootLogger');
