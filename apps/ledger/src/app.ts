import { createServer, type RequestListener } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import type { FastifyError, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { AppModule } from './app.module';
import type { LedgerConfig } from './config/ledger.config';
import { clientErrorHandler, type ClientErrorOutcome } from './http/client-error';
import { loggableCorrelationId } from './http/command-context';
import { utf8JsonParser } from './http/json-body';
import { NO_STORE_HEADERS, ProblemException } from './http/problem';
import { ALLOWED_METHODS, sendProblem } from './http/problem.filter';
import { pathPattern } from './http/routes';
import { ledgerValidationPipe, PATH_PARAMETER_SCHEMAS } from './http/validation';
import type { Clock, IdGenerator } from './infrastructure/clock';
import { PinoNestLogger } from './infrastructure/logger';
import { LedgerMetrics } from './operations/metrics';

export interface CreateAppOptions {
  readonly config: LedgerConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

/**
 * The HTTP contract's version (docs/openapi.json). 1.0.1: the document states the
 * patterns and formats the validators always enforced (ids, slugs, versions, dates).
 * 1.1.0: ids that are UUIDs or ULIDs are accepted whatever digits they hold (the rule
 * against runs of 7+ digits refused one random UUID in seven).
 * 1.2.0: a body with a Content-Encoding other than identity is 415
 * UNSUPPORTED_CONTENT_ENCODING (it was parsed as if uncompressed); the router's refusals
 * are problems with stable codes (MALFORMED_URL, PATH_PARAMETER_TOO_LONG) instead of
 * Fastify's own body; a problem's `instance` is the route pattern
 * (`/v1/subjects/:subjectId/consents`), never the path requested, which may be the very
 * personal data refused.
 * 1.3.0: path parameters carry the pattern their pipe enforces; an agreement's reference
 * in a path takes every reference the body accepts (one with a space, a slash or a long
 * number could be recorded and then never ended: §4.4), else 400 INVALID_REFERENCE; an
 * erasure acknowledgement's `system` may be a recipient id that is no slug (`Acme_EU`).
 * 1.4.0: a transfer's basis is judged at `transferredAt` (§3.2): before the consent was
 * given it is 422 NO_BASIS_AT_TRANSFER_TIME; one made while a since-withdrawn or expired
 * consent stood is recorded.
 * 1.5.0: a withdrawal withdraws only consents given by the day it was received (§2.7);
 * naming one given later is 422 WITHDRAWAL_PREDATES_CONSENT.
 * 1.6.0: a consent to service-provision resumes an agreement a withdrawal suspended
 * (§2.7): the grant's response lists AgreementResumed (event schema version 2, reason
 * `consent-granted`), and the subject reads `agreement.state: active` again. Once an
 * erasure is started, a transfer or personal data is 422 ERASURE_IN_PROGRESS (§2.10,
 * §3.3: a recipient recorded then was never asked to delete).
 * 1.7.0: erasures with reason `basis-expired`, scheduled once every basis passed its
 * `validUntil` (§2.10, Law 94-V Art. 8); a consent before such an erasure starts cancels
 * it (ErasureCancelled `basis-renewed`; both events at schema version 2); the erasure
 * queue filters by `reason`.
 * 1.8.0: a retraction that restores a basis also cancels an erasure scheduled meanwhile
 * for another reason than the end of retention (§2.10): the response lists it.
 * 1.9.0: the consents register shows a consent past its `validUntil` as `lapsed` (JSON and
 * CSV), as the subject view does, and `status=active` no longer lists it; `status=lapsed`
 * lists those, as of today in Kazakhstan (§2.10, Law 94-V Art. 8).
 * 1.10.0: a consent given before an erasure for an achieved purpose starts cancels it, as
 * for a lapsed basis (ErasureCancelled `basis-renewed`); it was 422 ERASURE_PENDING. Once
 * the agreement has ended, personal data from any source but the subject is 422
 * AGREEMENT_TERMINATED (§2.6: retained, not collected; the subject may still rectify).
 * 1.11.0: `POST /v1/subjects/{id}/destruction-demands` (§2.5: the subject demands the
 * destruction of data processed in violation of the law). New event DestructionDemanded;
 * erasures with reason `destruction-demanded` and cancellations with reason `superseded`
 * (ErasureScheduled and ErasureCancelled at schema version 3); the erasure queue's
 * `reason` filter takes the new value. A demanded erasure is cancelled by neither a
 * retraction nor a new consent (422 ERASURE_PENDING citing §2.5).
 * 1.12.0: storage that cannot serve — the event store's write lock held past its wait,
 * a full or read-only disk, an I/O error, PostgreSQL unreachable, restarting or out of
 * connections — is 503 STORAGE_UNAVAILABLE with Retry-After (it was 500 INTERNAL);
 * `/health/ready` answers the same when the event store fails.
 * 1.13.0: `GET /v1/subjects`, the subjects register (auditor, regulator, admin): agreement
 * state (§2.7), blocking (§2.5), erased or not (§2.10), the policy version in force and
 * how it was accepted (§1.4); filters `status`, `agreementState`, `restricted`,
 * `policyVersion`; cursor pages or CSV. Read-model migration 004 adds its indexes. A
 * request not received whole within LEDGER_REQUEST_TIMEOUT_MS (30 s) is answered
 * `408 Request Timeout` by the HTTP server and its socket closed (there was no limit).
 * `GET /v1/operations/projections` says whether the event store holds the checkpoint's
 * event (`checkpointInStore`: false after a restore from a backup; the projector stops).
 * 1.14.0: what the HTTP server refuses before a request exists is an RFC 9457 problem too
 * (it was Fastify's own JSON): 408 REQUEST_TIMEOUT, 431 HEADERS_TOO_LARGE (over Node's
 * 16 KiB), 400 MALFORMED_REQUEST (bytes that are not HTTP/1.1); logged and counted
 * (`ledger_http_client_errors_total{code}`) by code, never with the bytes received.
 * 1.15.0: a subject's history names its `streamId`, and with `include=stored` serves each
 * event also as stored (`stored.data`, sealed values as ciphertext; `stored.metadata`
 * whole): what its chain hash covers, so an auditor can recompute the chain (§5 of the
 * design). The history served before lacked `idempotencyKey` and `requestHash` in its
 * metadata and the ciphertext in its data: no hash could be recomputed from it.
 * 1.16.0: shutdown (SIGTERM, SIGINT): `/health/ready` answers 503 SHUTTING_DOWN from the
 * signal on, while the instance serves on for LEDGER_SHUTDOWN_GRACE_MS; a request arriving
 * once the HTTP server closes is 503 SHUTTING_DOWN as a problem with Retry-After and
 * Connection: close (it was Fastify's own body).
 * 1.17.0 (the document only; no behaviour changes): every operation lists its responses —
 * a command's 201 body (`CommandAccepted`), and each error status it can answer as an
 * `application/problem+json` `ProblemDetails` — where before it listed a bare 200 or 201;
 * the fuzz test holds every status the service answers to the document's list.
 * 1.18.0 (the document only): every query route states the JSON it answers — closed
 * schemas, enums from the policy vocabulary, nullable where the field may be null — and
 * the registers' `text/csv`; 414 is listed where a path parameter can be too long; the
 * health and metrics routes are described. The e2e harness holds every response of every
 * e2e test to the document: an undocumented status or a body off its schema fails.
 * 1.19.0: a path the API has, asked with a method it does not take, is 405
 * METHOD_NOT_ALLOWED with `Allow` (RFC 9110 §15.5.6); it was 404 NOT_FOUND.
 * 1.20.0: every answer from the read models (registers, JSON and CSV; the subject view;
 * recipients; policy versions) carries `Ledger-Position`: the read models had applied
 * every event up to at least that global position before it was read.
 * 1.21.0: the policy-acceptances register and the recipients register answer `format=csv`
 * with CSV, as every other register does (they took the parameter and answered JSON).
 * 1.22.0: a CSV export reads one snapshot of the read models: every row stands at the
 * position its `Ledger-Position` names, exactly, however long the export takes while the
 * projector goes on (before, each page of 1,000 rows was read as the tables then stood, so
 * an export could mix positions and miss a row written behind its cursor). At most
 * `LEDGER_EXPORTS_MAX` (4) stream at once in a process; one more is 503 EXPORTS_BUSY.
 * 1.23.0: a personal-data value that is not erased yet no key opens — its data key missing
 * from the key vault or not opening it, after a vault restored from an older backup — is
 * `{ visible: true, unreadable: true, reason }` in the subject view and the history; it
 * was a 500 for the whole answer.
 * 1.24.0: a request that reads an event this build cannot read — a type it does not know,
 * or a newer schema version, written by a newer build during a rolling upgrade — is 503
 * INSTANCE_OUTDATED with Retry-After (another instance can answer); it was 500 INTERNAL.
 * 1.25.0: instants in requests (`publishedAt`, `transferredAt`, `at`) are RFC 3339 with an
 * offset (`Z` or `±hh:mm`); anything else is 400 VALIDATION_FAILED. Before, ISO 8601's
 * week and ordinal dates answered 500, a year or a month alone was read as midnight UTC,
 * and a time without an offset was read in the server's own zone. The transfers
 * register's `from` and `to` take such an instant or a date (the start of that day in
 * Kazakhstan, UTC+5), are compared as instants (they were compared as text, so an offset
 * other than Z, or a bound without milliseconds, could leave out a transfer at the very
 * bound), and `to` must come after `from` (an inverted range answered an empty register).
 * 1.26.0: a JSON body is UTF-8: another charset is 415 UNSUPPORTED_MEDIA_TYPE and bytes
 * that are not UTF-8 are 400 MALFORMED_JSON; a personal-data value or a recipient's name
 * that is not well-formed Unicode (a lone surrogate, `\ud800`) is 400 VALIDATION_FAILED.
 * Each was recorded, or shown from the read models, with U+FFFD in place of what was sent.
 * 1.27.0: every answer is `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`
 * (there was no Cache-Control at all: an answer carrying personal data could be kept by a
 * cache on the way).
 * 1.28.0: a body nested deeper than 16 levels is 400 BODY_TOO_DEEP; thousands of levels
 * (within the size limit) overflowed the validator's stack, a 500.
 * 1.29.0: a recipient's name is plain text: a control character (NUL, a line break…) is
 * 400 VALIDATION_FAILED. A NUL was recorded, and stopped the PostgreSQL read-model
 * projector on that event for good (the projector now writes NUL there as U+FFFD).
 * 1.30.0: a number in a query string (`limit`, `fromRevision`) is written in decimal
 * digits, at most 15: anything else is 400 VALIDATION_FAILED. They were read as
 * JavaScript reads numbers: `limit=0x10` was 16, `1e2` 100, `0b11` 3, ` 7` 7, and an empty
 * `fromRevision` 0.
 * 1.31.0: the `Idempotency-Key` is stored as a keyed hash (HMAC-SHA-256 with the
 * pseudonymisation secret), never as sent: a history's `metadata.idempotencyKey` is 64
 * hex digits for events written from this version on. A key built from a phone number
 * was kept in plaintext in events, which are never erased. Retries work as before, of
 * events written earlier too.
 * 1.32.0: an `X-Correlation-Id` with a run of 7 or more digits is 400
 * CORRELATION_ID_INVALID, unless it is a UUID, a ULID or a W3C trace id (32 or 16 hex
 * digits with a letter, or a whole traceparent); such a header on a read is logged as
 * `invalid`. It is kept in every event's metadata, which is never erased, and
 * `sms-77017463829` was kept there and logged as sent. The header is now in the
 * OpenAPI document of every command.
 * 1.33.0: a read's `minPosition` past the event store's head is 400 POSITION_NOT_WRITTEN
 * at once, with `requestedPosition` and `headPosition`: no command answered with it, so no
 * wait can reach it. It waited `LEDGER_READ_WAIT_MS` and answered 503 READ_MODEL_BEHIND
 * with Retry-After, a 5xx for bad input that told the client to retry for ever. A
 * position written and not yet projected waits, then 503, as before.
 * 1.34.0: a read that finds its read-model generation dropped — a rebuild's
 * `--drop-previous` before this service's poll moved it off — is answered from the
 * generation the pointer names now, read at once. It was a 500 on PostgreSQL (relation
 * does not exist) until the next poll. A body field or query parameter named after a
 * member of Object.prototype (`constructor`, `toString`, `valueOf`…) is 400
 * VALIDATION_FAILED like any other unknown one: class-transformer skipped it, so the
 * whitelist never saw it, and the command was recorded (201). The commands that take no
 * fields (restriction-lifts, obligation settlement, legal-hold release) take no body or
 * `{}`, documented as such; any other body is 400 VALIDATION_FAILED (it was ignored), as
 * is any query parameter of /v1/operations/erasures and /v1/operations/projections, which
 * take none. A problem names an unknown field as sent only when it reads like a field
 * of this API (lower camelCase letters), else `(unknown field)`: a key is input, and
 * `{"alice@example.kz": true}` was echoed in `errors`. A read whose wait for
 * `minPosition` ends while the read models cannot be read (a table missing) is 503
 * READ_MODEL_BEHIND with the last position seen; it was a 500.
 */
export const API_VERSION = '1.34.0';

/** Builds the HTTP application; main.ts listens on it, e2e tests inject into it. */
export async function createApp(o: CreateAppOptions): Promise<NestFastifyApplication> {
  let countClientError = (_: ClientErrorOutcome): void => undefined; // the metric, once the module exists
  const adapter = new FastifyAdapter({
    bodyLimit: o.config.bodyLimitBytes, logger: false, trustProxy: false,
    // A client that sends its request slowly (a slow-body attack, §4.8) holds a socket for
    // as long as it likes: Fastify's `requestTimeout` defaults to none and, set on the
    // server after it is created, Node did not enforce it (a body trickled for 60 s and
    // more, measured). Created with the timeouts, Node answers 408 and closes.
    serverFactory: (handler: RequestListener) => createServer({
      requestTimeout: o.config.requestTimeoutMs,
      headersTimeout: Math.min(o.config.requestTimeoutMs, 20_000),
      connectionsCheckingInterval: Math.min(Math.ceil(o.config.requestTimeoutMs / 4), 5_000),
    }, handler),
    // 408, 431 and 400 from the HTTP server itself, before a request exists, as problems too
    clientErrorHandler: clientErrorHandler(o.logger, (outcome) => countClientError(outcome)),
    // the router's own refusals (bad percent-encoding, an over-long path parameter) as problems too
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendProblem(reply, request, error, o.logger),
    // While closing, Fastify answers requests still arriving on open connections with its
    // own 503 body; the hook below answers them as a problem, with Retry-After, instead.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(o), adapter, {
    logger: new PinoNestLogger(o.logger.child({ component: 'nest' })),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();

  const metrics = app.get(LedgerMetrics);
  countClientError = (outcome) => metrics.clientErrors.labels(outcome.code).inc();
  // One line per request: route pattern, status, time, who. Never a body or a header.
  fastify.addHook('onResponse', async (request, reply) => {
    if (request.method === 'POST' && request.routeOptions.url) {
      const outcome = reply.statusCode < 300 ? 'written' : reply.statusCode < 500 ? 'refused' : 'failed';
      metrics.commandSeconds.labels(request.routeOptions.url, outcome).observe(reply.elapsedTime / 1000);
    }
    const principal = (request as { principal?: { name: string; role: string } }).principal;
    o.logger.info({
      method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode,
      ms: Math.round(reply.elapsedTime), caller: principal ? `${principal.role}:${principal.name}` : null,
      correlationId: loggableCorrelationId(request.headers['x-correlation-id']),
    }, 'request');
  });

  // Shutdown (SIGTERM): once the HTTP server begins to close, a request still arriving on
  // an open connection is not started: 503 SHUTTING_DOWN with Retry-After and
  // Connection: close, so the client retries on another instance. Requests already
  // running finish, and their appends are flushed before the store closes.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onRequest', async (_request, reply) => {
    reply.headers(NO_STORE_HEADERS); // §4.1, §4.6
    if (closing) throw new ProblemException(503, 'SHUTTING_DOWN', 'this instance is shutting down; retry, another will answer');
  });

  // Bodies are read as they come: a compressed one would be parsed as if it were not
  // (RFC 9110 §8.4: refuse a content coding that is not understood, with 415).
  fastify.addHook('onRequest', async (request) => {
    const coding = request.headers['content-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
      throw new ProblemException(415, 'UNSUPPORTED_CONTENT_ENCODING', 'send the body uncompressed, without Content-Encoding');
    }
  });
  // UTF-8 only, never deeper than MAX_BODY_DEPTH (http/json-body.ts); registered through
  // Nest, so that Nest does not add a parser of its own at init
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: o.config.bodyLimitBytes }, utf8JsonParser(fastify));
  app.useGlobalPipes(ledgerValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Privacy ledger')
      .setDescription('System of record for personal-data processing under the Platform privacy policy (Republic of Kazakhstan). Errors are RFC 9457 problem details.')
      .setVersion(API_VERSION)
      .addBearerAuth()
      .build(),
  );
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as { parameters?: { in: string; name: string; schema?: object }[] }[]) {
      for (const p of operation.parameters ?? []) {
        if (p.in === 'path' && PATH_PARAMETER_SCHEMAS[p.name]) p.schema = { type: 'string', ...PATH_PARAMETER_SCHEMAS[p.name] };
      }
    }
  }
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  // RFC 9110 §15.5.6: a path the API has, asked with a method it does not take, is 405
  // with Allow (http/problem.filter.ts), not 404; the document knows every route.
  const routeTable = Object.entries(document.paths).map(([template, operations]) => {
    const methods = Object.keys(operations).map((m) => m.toUpperCase());
    return { pattern: pathPattern(template), allow: methods.includes('GET') ? [...methods, 'HEAD'] : methods };
  });
  fastify.decorate(ALLOWED_METHODS, (path: string) => routeTable.find((r) => r.pattern.test(path))?.allow ?? null);
  await app.init();
  await fastify.ready();
  return app;
}
