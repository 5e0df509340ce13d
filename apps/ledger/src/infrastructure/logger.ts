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

/**
 * An error as the logs may hold it: its name, a code if it has one, and the stack's
 * frames — never its message, which for a third-party error may quote input (a
 * PostgreSQL type error quotes the value, a JSON parse error the body), and which the
 * first line of `stack` repeats.
 */
export function loggableError(error: unknown, code?: string): { name: string; code?: string; stack?: string } {
  const e = error as { name?: unknown; stack?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : typeof error;
  const frames = typeof e?.stack === 'string' ? e.stack.split('\n').filter((line) => /^\s+at /.test(line)).join('\n') : '';
  return { name, ...(code ? { code } : {}), ...(frames ? { stack: frames } : {}) };
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
