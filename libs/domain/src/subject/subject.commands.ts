import type { LocalDate } from '../calendar/local-date';
import type { SealedValue } from '../sealed';
import type {
  Category, ConsentChannel, DataSource, LegalBasis, Purpose, RecipientKind, RestrictionReason, RetractionChannel,
  TransferForm,
} from '../policy/vocabulary';

/**
 * Commands on a subject's stream. Everything a decision needs arrives with the command:
 * the time (`now`), freshly issued ids, and snapshots of other streams (the policy
 * version, the recipient) that the handler read. The decider does no I/O.
 */
type Cmd<T extends string, D> = Readonly<{ type: T; data: Readonly<D>; now: Date }>;

export interface PublishedPolicy {
  readonly version: string;
  readonly publishedAt: string;
}
export interface RecipientSnapshot {
  readonly recipientId: string;
  readonly kind: RecipientKind;
  readonly country: string;
  /** §4.4 — a confidentiality agreement in force on the day of the transfer */
  readonly confidentialityAgreementInForce: boolean;
}

export type GrantConsent = Cmd<'GrantConsent', {
  consentId: string;
  purposes: readonly Purpose[];
  categories: readonly Category[];
  basis: LegalBasis;
  policyVersion: string;
  /** the published version, if it exists (§2.1) */
  policy: PublishedPolicy | null;
  channel: ConsentChannel;
  thirdPartyTransfer: boolean;
  crossBorderTransfer: boolean;
  publication: boolean;
  validUntil: LocalDate | null;
}>;
export type WithdrawConsent = Cmd<'WithdrawConsent', {
  withdrawalId: string;
  erasureId: string;
  purposes: readonly Purpose[] | 'all';
  receivedOn: LocalDate;
}>;
/** §2.5 — a demand to destroy data processed in violation of the law (full destruction). */
export type DemandDestruction = Cmd<'DemandDestruction', { demandId: string; erasureId: string; receivedOn: LocalDate }>;
export type RetractWithdrawal = Cmd<'RetractWithdrawal', { retractedOn: LocalDate; via: RetractionChannel }>;
export type RecordPersonalData = Cmd<'RecordPersonalData', { category: Category; source: DataSource; value: SealedValue }>;
export type RestrictProcessing = Cmd<'RestrictProcessing', {
  restrictionId: string;
  reason: RestrictionReason;
  requestedOn: LocalDate;
}>;
export type LiftRestriction = Cmd<'LiftRestriction', Record<string, never>>;
export type RecordTransfer = Cmd<'RecordTransfer', {
  transferId: string;
  recipient: RecipientSnapshot | null;
  purpose: Purpose;
  categories: readonly Category[];
  form: TransferForm;
  transferredAt: Date;
}>;
export type OpenObligation = Cmd<'OpenObligation', { obligationId: string; kind: string }>;
export type SettleObligation = Cmd<'SettleObligation', { obligationId: string }>;
export type PlaceLegalHold = Cmd<'PlaceLegalHold', { holdId: string; authority: string; reference: string }>;
export type ReleaseLegalHold = Cmd<'ReleaseLegalHold', { holdId: string }>;
export type TerminateAgreement = Cmd<'TerminateAgreement', { endedOn: LocalDate; reason: string }>;
export type AcceptPolicy = Cmd<'AcceptPolicy', {
  policyVersion: string;
  policy: PublishedPolicy | null;
  mode: 'explicit' | 'implied';
  /** explicit: when the subject accepted; implied: when continued use was observed */
  at: Date;
}>;

/** Scheduler (§2.10): the due date has passed; decide to destroy. */
export type StartErasure = Cmd<'StartErasure', { erasureId: string; internalSystems: readonly string[] }>;
/** Scheduler: the vault destroyed the key. */
export type RecordKeyShredded = Cmd<'RecordKeyShredded', { erasureId: string }>;
/** A downstream system confirms its deletion; a repeat changes nothing. */
export type AcknowledgeErasure = Cmd<'AcknowledgeErasure', { erasureId: string; system: string }>;
/** Scheduler: raise an erasure that passed its due date without completing. */
export type MarkErasureOverdue = Cmd<'MarkErasureOverdue', { erasureId: string }>;
/** Scheduler (§2.6, §2.10): the retention period ended; schedule destruction. */
export type ScheduleRetentionErasure = Cmd<'ScheduleRetentionErasure', { erasureId: string }>;
/** Scheduler (§2.10, Law 94-V Art. 8): every basis has passed its `validUntil`; schedule destruction. */
export type ScheduleExpiryErasure = Cmd<'ScheduleExpiryErasure', { erasureId: string }>;

/**
 * §1.4 — the Platform reports that the subject used it at `at`. Every published version
 * the subject has not accepted, whose 7 days had passed by then, is accepted by
 * continued use. A report that changes nothing writes nothing.
 */
export type ReportPlatformUse = Cmd<'ReportPlatformUse', { at: Date; published: readonly PublishedPolicy[] }>;

/** §2.10 — the purpose was achieved: its storage period ends that day. */
export type RecordPurposeAchieved = Cmd<'RecordPurposeAchieved', { purpose: Purpose; achievedOn: LocalDate; erasureId: string }>;

export type SubjectCommand =
  | GrantConsent | WithdrawConsent | RetractWithdrawal | DemandDestruction | RecordPersonalData
  | RestrictProcessing | LiftRestriction | RecordTransfer
  | OpenObligation | SettleObligation | PlaceLegalHold | ReleaseLegalHold
  | TerminateAgreement | AcceptPolicy
  | StartErasure | RecordKeyShredded | AcknowledgeErasure | MarkErasureOverdue | ScheduleRetentionErasure | ScheduleExpiryErasure
  | ReportPlatformUse | RecordPurposeAchieved;

export type SubjectCommandType = SubjectCommand['type'];
