import { HttpException } from '@nestjs/common';
import { DomainError, unreadableEvent, UnreadableHistoryError } from '@ledger/domain';
import { WrongExpectedVersionError } from '@ledger/event-store';
import { DataKeyDestroyedError } from '@ledger/crypto';
import { InvalidCursorError } from '@ledger/read-models';
import { storageFailure } from '../infrastructure/storage-failure';

/**
 * RFC 9457 problem details with stable codes. `detail` never carries a value the caller
 * sent: an invalid subject id may be exactly the email we refuse to store.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly clause?: string;
  readonly [extension: string]: unknown;
}

export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ProblemException';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 428: 'Precondition Required', 429: 'Too Many Requests', 500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * On every answer: answers carry personal data (to the service role), registers and
 * refusals, so no cache between the ledger and its caller may keep a copy (RFC 9111
 * §5.2.2.5), and no client may read an answer as another type than the one it says.
 */
export const NO_STORE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export const problemType = (code: string) => `urn:privacy-ledger:problem:${code.toLowerCase().replaceAll('_', '-')}`;

function problem(status: number, code: string, detail: string | undefined, extensions: Record<string, unknown> = {}): Problem {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, code, ...(detail ? { detail } : {}), ...extensions };
}

/** Fastify's own errors (raised before a route runs), by code. Their messages are not reused: a JSON parse error quotes the body. */
const FASTIFY: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE', 'the request body is larger than the limit'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'MALFORMED_REQUEST', 'the content length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON', 'the JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', 'the body is not valid JSON'],
  // raised by the router, before any route (FastifyAdapter's frameworkErrors, app.ts)
  FST_ERR_BAD_URL: [400, 'MALFORMED_URL', 'the path is not valid percent-encoding'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'PATH_PARAMETER_TOO_LONG', 'a path parameter is longer than any id the ledger accepts'],
};

export interface MappedError {
  readonly problem: Problem;
  /** unexpected errors are logged with their stack; expected ones are not */
  readonly unexpected: boolean;
  /** the storage's own error code (SQLITE_BUSY, 57P01, ECONNREFUSED…) when storage failed, for the log */
  readonly storage?: string;
  /** what the log line says instead of "unexpected error", with fields that carry no personal data */
  readonly log?: { readonly message: string; readonly fields: Record<string, unknown> };
}

/** Fastify's parsing errors, whether raw or wrapped by Nest as an HttpException's cause. */
function fastifyProblem(error: unknown): Problem | null {
  const e = (error instanceof HttpException && error.cause ? error.cause : error) as { code?: string; statusCode?: number; name?: string };
  if (e?.code && FASTIFY[e.code]) {
    const [status, code, detail] = FASTIFY[e.code]!;
    return problem(status, code, detail);
  }
  if (e?.name === 'SyntaxError' && e.statusCode === 400) return problem(400, 'MALFORMED_JSON', 'the body is not valid JSON');
  return null;
}

/** 405: the path exists, the method does not (RFC 9110 §15.5.6); the caller sets Allow. */
export const methodNotAllowed = (allowed: readonly string[]): Problem =>
  problem(405, 'METHOD_NOT_ALLOWED', `this path takes ${allowed.join(', ')}`);

export function toProblem(error: unknown): MappedError {
  const parsing = fastifyProblem(error);
  if (parsing) return { problem: parsing, unexpected: false };
  if (error instanceof ProblemException) {
    return { problem: problem(error.status, error.code, error.detail, error.extensions), unexpected: false };
  }
  if (error instanceof DomainError) {
    const status = error.kind === 'refused' ? 422 : error.kind === 'not-found' ? 404 : 400;
    return { problem: problem(status, error.code, error.message, error.clause ? { clause: error.clause } : {}), unexpected: false };
  }
  if (error instanceof UnreadableHistoryError) {
    // a newer build wrote the history this instance just read (a rolling upgrade): an
    // instance of that build can answer; this one must not guess. Logged: it means an
    // outdated instance is still taking requests.
    return {
      problem: problem(503, 'INSTANCE_OUTDATED', 'this instance runs an older build than the events it read; retry shortly (another instance can answer)'),
      unexpected: true,
      log: {
        message: 'instance outdated: it read an event a newer build wrote (a rolling upgrade); upgrade it',
        fields: unreadableEvent(error),
      },
    };
  }
  if (error instanceof InvalidCursorError) {
    return { problem: problem(400, 'INVALID_CURSOR', error.message), unexpected: false };
  }
  if (error instanceof DataKeyDestroyedError) {
    return { problem: problem(422, 'SUBJECT_ERASED', 'the personal data of this subject has been destroyed', { clause: '§2.10' }), unexpected: false };
  }
  if (error instanceof WrongExpectedVersionError) {
    return {
      problem: problem(409, 'CONCURRENCY_CONFLICT', 'the stream changed since it was read; read it again and retry', {
        currentRevision: error.actual === 'no_stream' ? null : error.actual.toString(),
      }),
      unexpected: false,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : `HTTP_${status}`;
    return { problem: problem(status, code, status === 404 ? 'no such resource' : undefined), unexpected: status >= 500 };
  }
  const storage = storageFailure(error);
  if (storage) {
    return {
      problem: problem(503, 'STORAGE_UNAVAILABLE', 'the ledger cannot reach its storage at the moment; retry shortly (a command with the same Idempotency-Key)'),
      unexpected: true,
      storage,
    };
  }
  const e = error as { statusCode?: number };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { problem: problem(e.statusCode, `HTTP_${e.statusCode}`, undefined), unexpected: false };
  }
  return { problem: problem(500, 'INTERNAL', 'an unexpected error occurred; it has been logged'), unexpected: true };
}
