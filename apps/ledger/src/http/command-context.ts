import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CORRELATION_ID_PATTERN, isCorrelationId } from '@ledger/domain';
import type { Principal } from './auth';
import { ProblemException } from './problem';

/** What a command carries besides its body: who, which retry, which revision, which trace. */
export interface CommandContext {
  readonly principal: Principal;
  readonly idempotencyKey: string;
  /** from If-Match: the stream revision the caller last saw; a mismatch is a 409 */
  readonly expectedRevision: bigint | null;
  readonly correlationId: string | null;
  /** what identifies the request for idempotency: route, path parameters, body */
  readonly request: { readonly route: string; readonly params: unknown; readonly body: unknown };
}

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The X-Correlation-Id to log for a request: as sent when commands would accept it (`isCorrelationId`), else `invalid` (a header is anything a client typed). */
export const loggableCorrelationId = (header: string | string[] | undefined): string | null => {
  const value = single(header);
  return value === undefined ? null : isCorrelationId(value) ? value : 'invalid';
};

const ETAG = /^(?:W\/)?"(\d{1,19})"$/;

/**
 * `Idempotency-Key` is required on every command: a retry with the same key returns the
 * first result and writes nothing new. `If-Match: "<revision>"` is optional.
 */
export const Command = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal: Principal }>();
  const contentType = single(req.headers['content-type']) ?? '';
  if (req.body !== undefined && !/^application\/(?:[a-z.+-]*\+)?json\b/i.test(contentType)) {
    throw new ProblemException(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
  }
  const key = single(req.headers['idempotency-key']);
  if (!key) throw new ProblemException(400, 'IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key header with every command');
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ProblemException(400, 'IDEMPOTENCY_KEY_INVALID', `the Idempotency-Key must match ${IDEMPOTENCY_KEY.source}`);
  }
  const ifMatch = single(req.headers['if-match']);
  let expectedRevision: bigint | null = null;
  if (ifMatch !== undefined) {
    const m = ETAG.exec(ifMatch.trim());
    if (!m) throw new ProblemException(400, 'IF_MATCH_INVALID', 'If-Match must be a stream revision as an entity tag, e.g. "3"');
    expectedRevision = BigInt(m[1]!);
  }
  const correlation = single(req.headers['x-correlation-id']);
  if (correlation !== undefined && !isCorrelationId(correlation)) {
    // the value is not echoed: it may be the very phone number refused
    throw new ProblemException(400, 'CORRELATION_ID_INVALID',
      `X-Correlation-Id must match ${CORRELATION_ID_PATTERN.source} without a run of 7 or more digits (UUIDs, ULIDs and W3C trace ids excepted)`);
  }
  return {
    principal: req.principal,
    idempotencyKey: key,
    expectedRevision,
    correlationId: correlation ?? null,
    request: { route: `${req.method} ${req.routeOptions.url}`, params: req.params, body: req.body },
  };
});

/**
 * The context of a command the ledger issues itself (the erasure scheduler, the Kafka
 * acknowledgements consumer). `idempotencyKey` is derived from what the command acts
 * on, so a repeat — another tick, a redelivered message — replays instead of acting twice.
 */
export function systemCommandContext(actor: string, idempotencyKey: string, request: { route: string; params: unknown; body: unknown }): CommandContext {
  return { principal: { name: actor, role: 'system' }, idempotencyKey, expectedRevision: null, correlationId: null, request };
}
