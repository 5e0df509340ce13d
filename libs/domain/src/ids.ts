import { invalid } from './errors';

/**
 * §4.1 / ARCHITECTURE §3 — a subject id is an opaque, pseudonymous identifier issued by
 * the Platform. Stream ids are never erased, so nothing that identifies a person (an
 * email, a phone number, a document number) may ever become one.
 */
export const OPAQUE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Reject ids that fit the pattern but look like a phone or document number: a long run
 * of digits is how those reach us (`77011234567`, an IIN of 12 digits).
 */
const LOOKS_LIKE_NUMBER = /\d{7,}/;

/**
 * Generated ids are exempt from that rule: a random UUID has a run of 7 digits in about
 * one case in seven (`…-446655440000`), and a ULID now and then, so the rule alone refused
 * the ids most platforms issue. A UUID or ULID is what a system generates, not what
 * a person's phone or document number becomes by accident.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;

export function isOpaqueId(value: unknown): value is string {
  return typeof value === 'string' && OPAQUE_ID_PATTERN.test(value)
    && (!LOOKS_LIKE_NUMBER.test(value) || UUID.test(value) || ULID.test(value));
}

/**
 * `X-Correlation-Id` is carried into every event's metadata, which is never erased, and
 * into the request log. It is what a client typed, so the same rule holds as for ids: no
 * long run of digits, unless it is an id systems generate — a UUID, a ULID, or a W3C
 * trace context id (a 32-hex trace id, a 16-hex span id, a whole `traceparent`) with at
 * least one hex letter (a random one lacks any in 1 case of 3 million; a bare number of
 * 16 or 32 digits — a card number — is no trace id). `sms-77017463829` stays out.
 */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
const TRACE_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{16}|[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})$/i;

export function isCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID_PATTERN.test(value)
    && (!LOOKS_LIKE_NUMBER.test(value) || UUID.test(value) || ULID.test(value) || (TRACE_ID.test(value) && /[a-f]/i.test(value)));
}

export function assertOpaqueId(value: string, what: string): void {
  if (!isOpaqueId(value)) {
    // The value itself is never echoed: it may be exactly the personal data we refuse.
    throw invalid('INVALID_ID', `${what} must be an opaque id matching ${OPAQUE_ID_PATTERN.source} without long digit runs (UUIDs and ULIDs excepted)`);
  }
}

export const subjectStream = (subjectId: string) => `subject-${subjectId}`;
export const recipientStream = (recipientId: string) => `recipient-${recipientId}`;
export const POLICY_STREAM = 'policy';
export const SUBJECT_STREAM_PREFIX = 'subject-';
