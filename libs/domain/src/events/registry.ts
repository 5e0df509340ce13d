import type { PolicyEvent } from '../policy-versions/policy.decider';
import type { RecipientEvent } from '../recipients/recipient.decider';
import type { SubjectEvent } from '../subject/subject.events';

export type LedgerEvent = SubjectEvent | PolicyEvent | RecipientEvent;
export type LedgerEventType = LedgerEvent['type'];

interface Registration {
  /** the stream family that may hold it */
  readonly stream: 'subject' | 'policy' | 'recipient';
  /** the schema version written today */
  readonly schemaVersion: number;
  /** fields of `data` that hold sealed personal data (ARCHITECTURE §4) */
  readonly sealed: readonly string[];
}

const subject = (sealed: string[] = []): Registration => ({ stream: 'subject', schemaVersion: 1, sealed });

/**
 * The explicit registry of stored event names (STYLE: never `constructor.name`). A name
 * here is a promise to every auditor holding an export: it is never renamed or reused.
 * The `satisfies` clause makes a new event type without a registration a compile error.
 */
export const EVENT_REGISTRY = {
  ConsentGranted: subject(),
  ConsentWithdrawn: subject(),
  WithdrawalRefused: subject(),
  WithdrawalRetracted: subject(),
  AgreementSuspended: subject(),
  // v2 adds the `consent-granted` reason; a v1 event (always `withdrawal-retracted`) is a valid v2 event
  AgreementResumed: { ...subject(), schemaVersion: 2 },
  AgreementTerminated: subject(),
  PurposeAchieved: subject(),
  DestructionDemanded: subject(),
  // v2 adds the reasons `basis-expired` (scheduled) and `basis-renewed` (cancelled); v3 adds
  // `destruction-demanded` (scheduled) and `superseded` (cancelled), §2.5. Every older event
  // is a valid event of the next version; a build that reads v2 refuses a v3 event.
  ErasureScheduled: { ...subject(), schemaVersion: 3 },
  ErasureCancelled: { ...subject(), schemaVersion: 3 },
  ErasureStarted: subject(),
  DataKeyShredded: subject(),
  ErasureAcknowledged: subject(),
  ErasureOverdue: subject(),
  ErasureCompleted: subject(),
  PersonalDataRecorded: subject(['value']),
  ProcessingRestricted: subject(),
  ProcessingRestrictionLifted: subject(),
  TransferRecorded: subject(),
  ObligationOpened: subject(),
  ObligationSettled: subject(),
  LegalHoldPlaced: subject(),
  LegalHoldReleased: subject(),
  PolicyAccepted: subject(),
  PolicyVersionPublished: { stream: 'policy', schemaVersion: 1, sealed: [] },
  RecipientRegistered: { stream: 'recipient', schemaVersion: 1, sealed: [] },
  ConfidentialityAgreementRecorded: { stream: 'recipient', schemaVersion: 1, sealed: [] },
  ConfidentialityAgreementEnded: { stream: 'recipient', schemaVersion: 1, sealed: [] },
} as const satisfies Record<LedgerEventType, Registration>;

export const isLedgerEventType = (type: string): type is LedgerEventType => Object.hasOwn(EVENT_REGISTRY, type);

export const registrationOf = (type: LedgerEventType): Registration => EVENT_REGISTRY[type];

/**
 * Old schema versions are upcast on read, never rewritten (ARCHITECTURE §3). Each entry
 * turns version n into n + 1.
 */
type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;
const unchanged: Upcaster = (data) => data;
const UPCASTERS: Partial<Record<LedgerEventType, Record<number, Upcaster>>> = {
  // v2 only added a reason (`consent-granted`); every v1 event reads as it was written
  AgreementResumed: { 1: unchanged },
  // v2 and v3 only added reasons (`basis-expired`, `basis-renewed`; `destruction-demanded`, `superseded`)
  ErasureScheduled: { 1: unchanged, 2: unchanged },
  ErasureCancelled: { 1: unchanged, 2: unchanged },
};

/**
 * A stored event this build cannot read: its type is unknown here, or its schema version
 * newer. During a rolling upgrade that means a newer build wrote it and this instance is
 * the outdated one; it must not guess at the event's shape.
 */
export class UnreadableHistoryError extends Error {
  constructor(readonly eventType: string, message: string) {
    super(message);
  }
}

export class UnknownEventTypeError extends UnreadableHistoryError {
  constructor(eventType: string) {
    super(eventType, `unknown stored event type: ${eventType}`);
    this.name = 'UnknownEventTypeError';
  }
}

export class NewerSchemaVersionError extends UnreadableHistoryError {
  constructor(eventType: string, readonly schemaVersion: number, readonly readable: number) {
    super(eventType, `${eventType} has schema version ${schemaVersion}, newer than this build reads (${readable})`);
    this.name = 'NewerSchemaVersionError';
  }
}

/**
 * Throws unless this build knows the event's type and reads its schema version: an event
 * written by a newer build (a rolling upgrade) is never guessed at — nor which of its
 * fields are sealed personal data.
 */
export function assertReadable(type: string, schemaVersion: number): asserts type is LedgerEventType {
  if (!isLedgerEventType(type)) throw new UnknownEventTypeError(type);
  if (schemaVersion > EVENT_REGISTRY[type].schemaVersion) {
    throw new NewerSchemaVersionError(type, schemaVersion, EVENT_REGISTRY[type].schemaVersion);
  }
}

/** What a log may say of an event this build cannot read: its type and versions, never its data. */
export function unreadableEvent(error: UnreadableHistoryError): { eventType: string; schemaVersion?: number; readable?: number } {
  return error instanceof NewerSchemaVersionError
    ? { eventType: error.eventType, schemaVersion: error.schemaVersion, readable: error.readable }
    : { eventType: error.eventType };
}

/** A stored event as the domain sees it: known type, current schema. */
export function toDomainEvent(type: string, schemaVersion: number, data: unknown): LedgerEvent {
  assertReadable(type, schemaVersion);
  let d = data as Record<string, unknown>;
  for (let v = schemaVersion; v < EVENT_REGISTRY[type].schemaVersion; v++) {
    const up = UPCASTERS[type]?.[v];
    if (!up) throw new Error(`no upcaster for ${type} v${v}`);
    d = up(d);
  }
  return { type, data: d } as LedgerEvent;
}
