import type { SchemaObject } from '@nestjs/swagger';
import { UNREADABLE_REASONS } from '@ledger/crypto';
import { CATEGORIES, CONSENT_CHANNELS, DATA_SOURCES, LEGAL_BASES, PURPOSES, RECIPIENT_KINDS, TRANSFER_FORMS } from '@ledger/domain';

/**
 * The JSON bodies the query routes answer with, as OpenAPI schemas (docs/openapi.json),
 * closed (`additionalProperties: false`): the e2e harness checks every response of every
 * e2e test against the schema of its route, so a field added, renamed or made nullable
 * without a change here fails a test.
 */
const str: SchemaObject = { type: 'string' };
/** OpenAPI 3.0's nullable; an enum must then list null too */
const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true, ...(s.enum ? { enum: [...s.enum, null] } : {}) });
const nstr = nullable(str);
const date: SchemaObject = { type: 'string', format: 'date', description: 'a Kazakhstan calendar date' };
const ndate = nullable(date);
const instant: SchemaObject = { type: 'string', format: 'date-time' };
const ninstant = nullable(instant);
const bool: SchemaObject = { type: 'boolean' };
const count: SchemaObject = { type: 'integer', minimum: 0 };
const decimal: SchemaObject = { type: 'string', pattern: '^\\d+$', description: 'a 64-bit number as a decimal string' };
const oneOf = (...values: string[]): SchemaObject => ({ type: 'string', enum: values });
const list = (items: SchemaObject): SchemaObject => ({ type: 'array', items });
const object = (properties: Record<string, SchemaObject>, optional: readonly string[] = []): SchemaObject => ({
  type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)), additionalProperties: false,
});
const purpose = oneOf(...PURPOSES);
const category = oneOf(...CATEGORIES);
const page = (item: SchemaObject): SchemaObject => object({ items: list(item), nextCursor: { ...nstr, description: 'pass as ?cursor= for the next page; null on the last' } });

/** A personal-data value as a caller sees it: only the service role, while the key exists. */
export const SEALED_VIEW: SchemaObject = {
  oneOf: [
    object({ visible: { type: 'boolean', enum: [false] } }),
    object({ visible: { type: 'boolean', enum: [true] }, value: str }),
    object({ visible: { type: 'boolean', enum: [true] }, erased: { type: 'boolean', enum: [true] }, erasedAt: instant }),
    {
      ...object({ visible: { type: 'boolean', enum: [true] }, unreadable: { type: 'boolean', enum: [true] }, reason: oneOf(...UNREADABLE_REASONS) }),
      description: 'not erased, yet no key opens it: its data key is missing from the key vault or does not open it (a vault restored from an older backup, a damaged row). The value is lost (API 1.23.0)',
    },
  ],
};

const consentFields = {
  purpose, basis: oneOf(...LEGAL_BASES), status: oneOf('active', 'withdrawn', 'achieved', 'lapsed'), categories: list(category), policyVersion: str,
  channel: oneOf(...CONSENT_CHANNELS), thirdPartyTransfer: bool, crossBorderTransfer: bool, publication: bool, validUntil: ndate, grantedAt: instant, withdrawnOn: ndate,
};
const agreementState = oneOf('none', 'active', 'suspended', 'terminated');
const acceptedAs = nullable(oneOf('consent', 'explicit', 'implied'));

export const SUBJECT_VIEW = object({
  subjectId: str, revision: decimal, position: decimal, status: oneOf('active', 'erased'), erasedAt: ninstant,
  agreement: object({ state: agreementState, endedOn: ndate, retentionEndsOn: ndate }),
  restricted: bool,
  policy: object({ version: nstr, acceptedAs, acceptedAt: ninstant }),
  consents: list(object(consentFields)),
  openErasure: nullable(object({ erasureId: str, receivedOn: date, dueOn: date, status: oneOf('scheduled', 'overdue') })),
  openObligations: count, activeLegalHolds: count,
  acceptedPolicyVersions: list(object({ version: str, mode: oneOf('consent', 'explicit', 'implied'), acceptedAt: instant })),
  personalData: list(object({ category, source: oneOf(...DATA_SOURCES), recordedAt: instant, value: SEALED_VIEW })),
});

export const SUBJECT_HISTORY = object({
  subjectId: str,
  streamId: str,
  events: list(object({
    eventId: str, type: str, revision: decimal, position: decimal,
    data: { type: 'object', additionalProperties: true, description: 'the event\'s data; each personal-data value as a SealedView' },
    metadata: object({
      schemaVersion: { type: 'integer' }, occurredAt: instant, recordedAt: instant, actor: str, correlationId: str, causationId: str,
      policyVersion: nstr, prevHash: str, hash: str,
    }),
    stored: object({
      data: { type: 'object', additionalProperties: true, description: 'as stored: personal-data values as ciphertext' },
      metadata: { type: 'object', additionalProperties: true, description: 'as stored, whole: what the hash covers' },
    }),
  }, ['stored'])),
  nextRevision: { ...nullable(decimal), description: 'pass as ?fromRevision= for the next page; null on the last' },
});

export const POLICY_VERSIONS = object({
  versions: list(object({ version: str, textSha256: str, publishedAt: instant, impliedAcceptanceFrom: { ...instant, description: '§1.4: continued use from then on is acceptance' } })),
});

export const RECIPIENT = object({
  recipientId: str, name: str, kind: oneOf(...RECIPIENT_KINDS), country: str, crossBorder: bool,
  confidentialityAgreementInForce: bool,
  agreements: list(object({ reference: str, signedOn: date, expiresOn: ndate, endedOn: ndate })),
});
export const RECIPIENTS = page(RECIPIENT);

export const CONSENTS_REGISTER = page(object({ subjectId: str, ...consentFields }));
export const ERASURES_REGISTER = page(object({
  erasureId: str, subjectId: str, reason: str, receivedOn: date, dueOn: date,
  status: oneOf('scheduled', 'started', 'shredded', 'completed', 'cancelled'), overdue: bool,
  startedAt: ninstant, shreddedAt: ninstant, cancelledAt: ninstant, completedAt: ninstant,
  acknowledgedBy: list(str), awaitingAcknowledgement: list(str),
}));
export const TRANSFERS_REGISTER = page(object({
  transferId: str, subjectId: str, recipientId: str, recipientCountry: str, crossBorder: bool, purpose, categories: list(category),
  form: oneOf(...TRANSFER_FORMS), transferredAt: instant, position: decimal,
}));
export const SUBJECTS_REGISTER = page(object({
  subjectId: str, status: oneOf('active', 'erased'), erasedAt: ninstant, agreementState, agreementEndedOn: ndate, retentionEndsOn: ndate,
  restricted: bool, policyVersion: nstr, policyAcceptedAs: acceptedAs, policyAcceptedAt: ninstant, openErasureId: nstr,
  openObligations: count, activeLegalHolds: count,
}));
export const RETENTION_REGISTER = page(object({ subjectId: str, agreementEndedOn: ndate, retentionEndsOn: ndate, status: oneOf('active', 'erased') }));
export const POLICY_ACCEPTANCES = page(object({ subjectId: str, policyVersion: str, mode: oneOf('consent', 'explicit', 'implied'), acceptedAt: instant }));

export const ERASURE_COUNTS = object({
  byStatus: { type: 'object', additionalProperties: count, description: 'erasures per status' }, overdue: count,
});
export const PROJECTIONS = object({
  projections: list(object({
    name: str, checkpoint: decimal, head: decimal, eventsBehind: { oneOf: [count, { type: 'string', enum: ['>10000'] }] },
    secondsBehind: { type: 'number', minimum: 0 }, updatedAt: ninstant, checkpointInStore: bool,
  })),
});
export const HEALTH = object({ status: oneOf('ok') });
