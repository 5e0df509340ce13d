import { applyDecorators, Get, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { CORRELATION_ID_PATTERN } from '@ledger/domain';
import type { Role } from '../config/ledger.config';
import { LEDGER_POSITION_HEADER, LedgerPositionHeader } from '../read-side/ledger-position.interceptor';
import { Roles } from './auth';
import type { SchemaObject } from '@nestjs/swagger';
import { CommandAccepted, ProblemDetails } from './openapi-models';

/** The paths an OpenAPI path template (`/v1/subjects/{subjectId}`) stands for. */
export const pathPattern = (template: string) => new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);

/** An error response as the OpenAPI document states it: an RFC 9457 problem. */
export const ProblemResponse = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetails) } } } });

export const AUTH_ERRORS = [
  ProblemResponse(400, 'the request does not match the schema (VALIDATION_FAILED, MALFORMED_JSON, INVALID_ID, …)'),
  ProblemResponse(401, 'no API key, or one not recognised (UNAUTHENTICATED)'),
  ProblemResponse(403, 'the key\'s role may not call this route (FORBIDDEN)'),
  ProblemResponse(414, 'a path parameter is longer than any id the ledger accepts (PATH_PARAMETER_TOO_LONG)'),
];
const UNAVAILABLE = ProblemResponse(503, 'storage unavailable, read models behind `minPosition` (READ_MODEL_BEHIND, with requestedPosition and currentPosition), as many CSV exports streaming as LEDGER_EXPORTS_MAX allows, shutting down, or this instance older than the events it read during a rolling upgrade (STORAGE_UNAVAILABLE, READ_MODEL_BEHIND, EXPORTS_BUSY, SHUTTING_DOWN, INSTANCE_OUTDATED); with Retry-After');

/** A command route: POST, 201, declared roles, the Idempotency-Key and If-Match headers. */
export const CommandRoute = (path: string, summary: string, ...roles: Role[]) =>
  applyDecorators(
    Post(path),
    HttpCode(201),
    Roles(...roles),
    ApiBearerAuth(),
    ApiOperation({ summary }),
    ApiHeader({ name: 'Idempotency-Key', required: true, description: 'a retry with the same key returns the first result' }),
    ApiHeader({ name: 'If-Match', required: false, description: 'the stream revision last seen, as "n"; 409 if it moved' }),
    ApiHeader({
      name: 'X-Correlation-Id', required: false, schema: { type: 'string', pattern: CORRELATION_ID_PATTERN.source },
      description: 'kept in every event this command writes (`metadata.correlationId`; the command id when absent) and logged. Events are never erased, so it may hold no run of 7 or more digits — a phone or document number — unless it is a UUID, a ULID or a W3C trace id (32 or 16 hex digits with a letter, or a whole traceparent); else 400 CORRELATION_ID_INVALID',
    }),
    ApiExtraModels(ProblemDetails),
    ApiCreatedResponse({ type: CommandAccepted, description: 'recorded; or, with `replayed: true`, the first result of this Idempotency-Key' }),
    ...AUTH_ERRORS,
    ProblemResponse(404, 'the subject, recipient, obligation, hold or erasure named is unknown'),
    ProblemResponse(409, 'the stream moved past If-Match (CONCURRENCY_CONFLICT, with currentRevision)'),
    ProblemResponse(413, 'the body is larger than LEDGER_BODY_LIMIT_BYTES (BODY_TOO_LARGE)'),
    ProblemResponse(415, 'not application/json, or compressed (UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_CONTENT_ENCODING)'),
    ProblemResponse(422, 'a rule of the policy refuses it, naming the clause (e.g. WITHDRAWAL_REFUSED §2.8, recorded); or the Idempotency-Key was used for another request (IDEMPOTENCY_KEY_REUSED)'),
    UNAVAILABLE,
  );

const query = (path: string, summary: string, schema: SchemaObject, roles: Role[], fromReadModels: boolean) =>
  applyDecorators(
    Get(path),
    Roles(...roles),
    ApiBearerAuth(),
    ApiOperation({ summary }),
    ApiExtraModels(ProblemDetails),
    ...(fromReadModels ? [UseInterceptors(LedgerPositionHeader)] : []),
    ApiOkResponse({
      description: 'OK',
      ...(fromReadModels ? {
        headers: {
          [LEDGER_POSITION_HEADER]: {
            description: 'JSON: the read models had applied every event up to at least this global position before the answer was read. '
              + 'CSV (format=csv, read from one snapshot): every row reflects exactly the events up to this position',
            schema: { type: 'string', pattern: '^\\d+$' },
          },
        },
      } : {}),
      content: {
        'application/json': { schema },
        ...('nextCursor' in (schema.properties ?? {}) ? { 'text/csv': { schema: { type: 'string', description: 'with format=csv: every matching row, as the register stood at Ledger-Position' } } } : {}),
      },
    }),
    // the read models' routes take minPosition (read-your-writes): their 400 says so too
    // (the first response declared for a status is the one the document keeps)
    ...(fromReadModels ? [ProblemResponse(400, 'the request does not match the schema (VALIDATION_FAILED, INVALID_ID, INVALID_CURSOR, …); or `minPosition` is past the event store\'s head, so no command answered with it (POSITION_NOT_WRITTEN, with requestedPosition and headPosition)')] : []),
    ...AUTH_ERRORS,
    ProblemResponse(404, 'nothing is recorded under the id named'),
    UNAVAILABLE,
  );

/**
 * A query route (GET, declared roles) and the schema of what it answers
 * (http/openapi-views.ts); a register also answers CSV with `format=csv`. This one reads
 * the event store or the process itself, not the read models.
 */
export const QueryRoute = (path: string, summary: string, schema: SchemaObject, ...roles: Role[]) => query(path, summary, schema, roles, false);

/** A query route answered from the read models: it also says how far they had got (`Ledger-Position`). */
export const ReadModelRoute = (path: string, summary: string, schema: SchemaObject, ...roles: Role[]) => query(path, summary, schema, roles, true);
