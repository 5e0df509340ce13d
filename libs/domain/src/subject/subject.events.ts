import type { LocalDate } from '../calendar/local-date';
import type { SealedValue } from '../sealed';
import type {
  Category, ConsentChannel, DataSource, LegalBasis, Purpose, RestrictionReason, RetractionChannel, TransferForm,
} from '../policy/vocabulary';

/**
 * Events of a data subject's stream (`subject-<id>`). Names are stable and stored as
 * written here; a change of shape gets a new schema version and an upcaster
 * (events/registry.ts), never a rewrite of history.
 */
type Ev<T extends string, D> = Readonly<{ type: T; data: Readonly<D> }>;

export type ConsentGranted = Ev<'ConsentGranted', {
  consentId: string;
  purposes: readonly Purpose[];
  categories: readonly Category[];
  basis: LegalBasis;
  policyVersion: string;
  channel: ConsentChannel;
  /** Law 94-V Art. 8 — what the consent allows beyond the purpose itself */
  thirdPartyTransfer: boolean;
  crossBorderTransfer: boolean;
  publication: boolean;
  validUntil: LocalDate | null;
  grantedAt: string;
}>;
export type ConsentWithdrawn = Ev<'ConsentWithdrawn', {
  withdrawalId: string;
  purposes: readonly Purpose[];
  receivedOn: LocalDate;
  /** last day the subject may retract it (§2.10) */
  retractableUntil: LocalDate;
}>;
export type WithdrawalRefused = Ev<'WithdrawalRefused', {
  withdrawalId: string;
  purposes: readonly Purpose[] | 'all';
  receivedOn: LocalDate;
  reason: 'legal-hold' | 'open-obligation';
  clause: '§2.8';
}>;
export type WithdrawalRetracted = Ev<'WithdrawalRetracted', {
  withdrawalId: string;
  purposes: readonly Purpose[];
  retractedOn: LocalDate;
  via: RetractionChannel;
}>;
export type AgreementSuspended = Ev<'AgreementSuspended', { reason: 'consent-withdrawn'; withdrawalId: string; clause: '§2.7' }>;
/**
 * The agreement a withdrawal suspended runs again: the withdrawal was retracted (§2.10), or
 * (schema version 2) the subject consented to the service anew (§2.7) — `withdrawalId` names
 * the withdrawal whose suspension ends either way.
 */
export type AgreementResumed = Ev<'AgreementResumed',
  | { reason: 'withdrawal-retracted'; withdrawalId: string }
  | { reason: 'consent-granted'; withdrawalId: string; consentId: string; clause: '§2.7' }>;
export type AgreementTerminated = Ev<'AgreementTerminated', {
  endedOn: LocalDate;
  retentionEndsOn: LocalDate;
  reason: string;
  clause: '§2.6';
}>;
/**
 * Why an erasure was scheduled (§2.10); `basis-expired` since schema version 2 of
 * ErasureScheduled, `destruction-demanded` (§2.5) since version 3.
 */
export const ERASURE_REASONS = ['consent-withdrawn', 'retention-ended', 'purpose-achieved', 'basis-expired', 'destruction-demanded'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

export type ErasureScheduled = Ev<'ErasureScheduled', {
  erasureId: string;
  /**
   * §2.10: a withdrawal received, the storage period ended (§2.6), the purpose achieved, or
   * (schema version 2) every basis lapsed — its `validUntil` passed with no other basis
   * left (Law 94-V Art. 8: a consent states its period of validity), or (schema version 3)
   * the subject demanded destruction of data processed in violation of the law (§2.5)
   */
  reason: ErasureReason;
  withdrawalId: string | null;
  receivedOn: LocalDate;
  dueOn: LocalDate;
  clause: '§2.10';
}>;
/**
 * §2.5 — the subject demanded the destruction of their data as processed in violation of
 * the law (a written application, received on `receivedOn`). `erasureId` is the erasure
 * that carries it out: one already open, or one scheduled with it. No retraction of a
 * withdrawal and no new consent cancels that erasure any more; a legal hold or blocking
 * still keeps the data (§2.8, Law 94-V). Full destruction only: the data key is per
 * subject, so one category cannot be shredded alone.
 */
export type DestructionDemanded = Ev<'DestructionDemanded', { demandId: string; receivedOn: LocalDate; erasureId: string; clause: '§2.5' }>;
/** §2.10: the purpose of processing was achieved on `achievedOn`; it is no longer a basis. */
export type PurposeAchieved = Ev<'PurposeAchieved', { purpose: Purpose; achievedOn: LocalDate; clause: '§2.10' }>;
export type ErasureCancelled = Ev<'ErasureCancelled', {
  erasureId: string;
  /**
   * the withdrawal retracted (§2.10); (schema version 2) a new basis given before an erasure
   * for want of one was carried out; (schema version 3) replaced by the erasure a demand for
   * destruction scheduled, due earlier (§2.5)
   */
  reason: 'withdrawal-retracted' | 'basis-renewed' | 'superseded';
  clause: '§2.10';
}>;
/**
 * The decision to destroy, taken once the due date has passed (§2.10): names every system
 * that must confirm its own deletion — internal systems and the recipients of the
 * subject's transfers (§3.3).
 */
export type ErasureStarted = Ev<'ErasureStarted', { erasureId: string; startedAt: string; awaiting: readonly string[]; clause: '§2.10' }>;
/** The subject's data key is destroyed: every copy of its ciphertext is unreadable (crypto-shredding). */
export type DataKeyShredded = Ev<'DataKeyShredded', { erasureId: string; shreddedAt: string; clause: '§2.10' }>;
/** A downstream system confirmed it deleted the subject's data. */
export type ErasureAcknowledged = Ev<'ErasureAcknowledged', { erasureId: string; system: string; acknowledgedAt: string }>;
/** The erasure passed its due date without completing (§2.10): raised, with who is missing. */
export type ErasureOverdue = Ev<'ErasureOverdue', { erasureId: string; dueOn: LocalDate; detectedOn: LocalDate; missing: readonly string[]; clause: '§2.10' }>;
/** Shredded and confirmed by every system: the erasure is done. */
export type ErasureCompleted = Ev<'ErasureCompleted', { erasureId: string; completedAt: string; clause: '§2.10' }>;
export type PersonalDataRecorded = Ev<'PersonalDataRecorded', {
  category: Category;
  source: DataSource;
  /** ciphertext under the subject's data key; the plaintext never reaches an event */
  value: SealedValue;
  action: 'recorded' | 'updated';
}>;
export type ProcessingRestricted = Ev<'ProcessingRestricted', {
  restrictionId: string;
  reason: RestrictionReason;
  requestedOn: LocalDate;
  clause: '§2.5';
}>;
export type ProcessingRestrictionLifted = Ev<'ProcessingRestrictionLifted', { restrictionId: string; clause: '§2.5' }>;
export type TransferRecorded = Ev<'TransferRecorded', {
  transferId: string;
  recipientId: string;
  recipientCountry: string;
  crossBorder: boolean;
  purpose: Purpose;
  categories: readonly Category[];
  form: TransferForm;
  transferredAt: string;
}>;
export type ObligationOpened = Ev<'ObligationOpened', { obligationId: string; kind: string }>;
export type ObligationSettled = Ev<'ObligationSettled', { obligationId: string }>;
export type LegalHoldPlaced = Ev<'LegalHoldPlaced', { holdId: string; authority: string; reference: string }>;
export type LegalHoldReleased = Ev<'LegalHoldReleased', { holdId: string }>;
export type PolicyAccepted = Ev<'PolicyAccepted', {
  policyVersion: string;
  mode: 'explicit' | 'implied';
  acceptedAt: string;
  clause: '§1.4';
}>;

export type SubjectEvent =
  | ConsentGranted | ConsentWithdrawn | WithdrawalRefused | WithdrawalRetracted
  | AgreementSuspended | AgreementResumed | AgreementTerminated
  | PurposeAchieved | DestructionDemanded | ErasureScheduled | ErasureCancelled | ErasureStarted | DataKeyShredded | ErasureAcknowledged | ErasureOverdue | ErasureCompleted
  | PersonalDataRecorded | ProcessingRestricted | ProcessingRestrictionLifted
  | TransferRecorded | ObligationOpened | ObligationSettled | LegalHoldPlaced | LegalHoldReleased
  | PolicyAccepted;

export type SubjectEventType = SubjectEvent['type'];
