import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { loggableError, ROOT_LOGGER } from '../infrastructure/logger';
import { methodNotAllowed, NO_STORE_HEADERS, toProblem } from './problem';

/** The Fastify decoration (app.ts) that gives the methods a path of the API takes, or null. */
export const ALLOWED_METHODS = 'ledgerAllowedMethods';

/** Answers `error` as an RFC 9457 problem (also used for errors Fastify raises before routing). */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown, logger: Logger): void {
  const mapped = toProblem(error);
  const { unexpected, storage, log } = mapped;
  let { problem } = mapped;
  // no route matched: a path the API has, with a method it does not take, is 405 with Allow
  if (problem.status === 404 && !request.routeOptions?.url) {
    const allowed = (request.server as unknown as Record<string, ((path: string) => string[] | null) | undefined>)[ALLOWED_METHODS]?.(request.url.split('?')[0]!);
    if (allowed) {
      problem = methodNotAllowed(allowed);
      void reply.header('allow', allowed.join(', '));
    }
  }
  if (unexpected) {
    logger.error({ err: loggableError(error, storage), route: request.routeOptions?.url, ...log?.fields }, log?.message ?? (storage ? 'storage unavailable' : 'unexpected error'));
  }
  // The route's pattern, not the path requested: a refused path may be exactly the
  // personal data refused (an email typed as a subject id), and an error never echoes
  // input back, in the body as in the logs.
  const route = request.routeOptions?.url;
  const body = route ? { ...problem, instance: route } : problem;
  if (problem.status === 401) void reply.header('www-authenticate', 'Bearer realm="privacy-ledger"');
  if (problem.status === 503) void reply.header('retry-after', '1');
  void reply.status(problem.status).headers(NO_STORE_HEADERS).header('content-type', 'application/problem+json').send(body);
}

/**
 * Every error becomes an RFC 9457 problem (APP_FILTER). Nest routes Fastify's own errors
 * (body parsing, size limits) and unknown routes through this filter too.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendProblem(ctx.getResponse<FastifyReply>(), ctx.getRequest<FastifyRequest>(), error, this.logger);
  }
}
