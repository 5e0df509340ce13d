/**
 * The read-model schema, one for SQLite and PostgreSQL. Portable types only: text for
 * dates (ISO), integer 0/1 for flags, JSON arrays as text, bigint positions. Every row
 * keeps the global `position` of the last event that changed it.
 */
export interface SubjectRow {
  subject_id: string;
  status: 'active' | 'erased';
  agreement_state: 'none' | 'active' | 'suspended' | 'terminated';
  restricted: number;
  policy_version: string | null;
  policy_accepted_mode: 'consent' | 'explicit' | 'implied' | null;
  policy_accepted_at: string | null;
  agreement_ended_on: string | null;
  retention_ends_on: string | null;
  open_erasure_id: string | null;
  open_obligations: number;
  active_legal_holds: number;
  erased_at: string | null;
  revision: number;
  position: string | number | bigint;
}

export interface ConsentRow {
  subject_id: string;
  purpose: string;
  basis: string;
  status: 'active' | 'withdrawn' | 'achieved';
  categories: string;
  policy_version: string;
  channel: string;
  third_party_transfer: number;
  cross_border_transfer: number;
  publication: number;
  valid_until: string | null;
  granted_at: string;
  withdrawn_on: string | null;
  position: string | number | bigint;
}

export interface ErasureRow {
  erasure_id: string;
  subject_id: string;
  reason: string;
  withdrawal_id: string | null;
  received_on: string;
  due_on: string;
  /** scheduled → started (decided) → shredded (key destroyed) → completed; or cancelled */
  status: 'scheduled' | 'started' | 'shredded' | 'completed' | 'cancelled';
  cancelled_at: string | null;
  completed_at: string | null;
  /** JSON array of the systems that must confirm their deletion */
  awaiting_acknowledgement: string;
  /** JSON array of the systems that have confirmed */
  acknowledged: string;
  started_at: string | null;
  shredded_at: string | null;
  /** raised by the scheduler as overdue (§2.10) */
  overdue: number;
  position: string | number | bigint;
}

export interface TransferRow {
  transfer_id: string;
  subject_id: string;
  recipient_id: string;
  recipient_country: string;
  cross_border: number;
  purpose: string;
  categories: string;
  form: string;
  transferred_at: string;
  position: string | number | bigint;
}

export interface PolicyVersionRow {
  version: string;
  text_sha256: string;
  published_at: string;
  position: string | number | bigint;
}

export interface PolicyAcceptanceRow {
  subject_id: string;
  policy_version: string;
  mode: string;
  accepted_at: string;
  position: string | number | bigint;
}

export interface RecipientRow {
  recipient_id: string;
  name: string;
  kind: string;
  country: string;
  position: string | number | bigint;
}

export interface RecipientAgreementRow {
  recipient_id: string;
  reference: string;
  signed_on: string;
  expires_on: string | null;
  ended_on: string | null;
  position: string | number | bigint;
}

export interface PersonalDataRow {
  subject_id: string;
  category: string;
  source: string;
  /** the sealed value as stored in the event: ciphertext, never plaintext */
  sealed: string;
  action: string;
  recorded_at: string;
  position: string | number | bigint;
}

/** Who runs a singleton worker (the erasure scheduler), until when. */
export interface LeaseRow {
  name: string;
  holder: string;
  expires_at: string;
}

export interface CheckpointRow {
  projection: string;
  position: string | number | bigint;
  updated_at: string;
  /** the id of the event at `position` (null for checkpoints written before migration 005) */
  event_id: string | null;
}

export interface ReadModelTables {
  rm_subjects: SubjectRow;
  rm_consents: ConsentRow;
  rm_erasures: ErasureRow;
  rm_transfers: TransferRow;
  rm_policy_versions: PolicyVersionRow;
  rm_policy_acceptances: PolicyAcceptanceRow;
  rm_recipients: RecipientRow;
  rm_recipient_agreements: RecipientAgreementRow;
  rm_personal_data: PersonalDataRow;
  rm_checkpoints: CheckpointRow;
  ledger_leases: LeaseRow;
}

export type TableName = keyof ReadModelTables;

/** Primary keys; the projector loads, upserts and deletes rows by them. */
export const PRIMARY_KEYS: { readonly [T in TableName]: readonly (keyof ReadModelTables[T] & string)[] } = {
  rm_subjects: ['subject_id'],
  rm_consents: ['subject_id', 'purpose'],
  rm_erasures: ['erasure_id'],
  rm_transfers: ['transfer_id'],
  rm_policy_versions: ['version'],
  rm_policy_acceptances: ['subject_id', 'policy_version'],
  rm_recipients: ['recipient_id'],
  rm_recipient_agreements: ['recipient_id', 'reference'],
  rm_personal_data: ['subject_id', 'category'],
  rm_checkpoints: ['projection'],
  ledger_leases: ['name'],
};

/** Tables the projections write (everything but the checkpoint). */
export const PROJECTED_TABLES = [
  'rm_subjects', 'rm_consents', 'rm_erasures', 'rm_transfers', 'rm_policy_versions',
  'rm_policy_acceptances', 'rm_recipients', 'rm_recipient_agreements', 'rm_personal_data',
] as const satisfies readonly TableName[];
export type ProjectedTable = (typeof PROJECTED_TABLES)[number];
