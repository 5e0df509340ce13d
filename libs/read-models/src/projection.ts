import { SUBJECT_STREAM_PREFIX, toDomainEvent, type LedgerEvent } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import { PRIMARY_KEYS, type ProjectedTable, type ReadModelTables, type SubjectRow } from './schema';

export const rowKey = <T extends ProjectedTable>(table: T, row: Partial<ReadModelTables[T]>): string =>
  PRIMARY_KEYS[table].map((c) => String((row as Record<string, unknown>)[c])).join('\u0000');

/** Rows of one batch: loaded before, written after; the projection reads and stages here. */
export class RowSet {
  private readonly rows = new Map<ProjectedTable, Map<string, unknown>>();
  private readonly changed = new Map<ProjectedTable, Map<string, unknown | null>>();

  constructor() {
    for (const t of Object.keys(PRIMARY_KEYS) as ProjectedTable[]) {
      this.rows.set(t, new Map());
      this.changed.set(t, new Map());
    }
  }

  /** A row as stored before this batch (used by the loader). */
  seed<T extends ProjectedTable>(table: T, row: ReadModelTables[T]): void {
    this.rows.get(table)!.set(rowKey(table, row), row);
  }

  get<T extends ProjectedTable>(table: T, key: Partial<ReadModelTables[T]>): ReadModelTables[T] | undefined {
    return this.rows.get(table)!.get(rowKey(table, key)) as ReadModelTables[T] | undefined;
  }

  put<T extends ProjectedTable>(table: T, row: ReadModelTables[T]): void {
    const k = rowKey(table, row);
    this.rows.get(table)!.set(k, row);
    this.changed.get(table)!.set(k, row);
  }

  delete<T extends ProjectedTable>(table: T, row: ReadModelTables[T]): void {
    const k = rowKey(table, row);
    this.rows.get(table)!.delete(k);
    this.changed.get(table)!.set(k, null);
  }

  all<T extends ProjectedTable>(table: T): ReadModelTables[T][] {
    return [...this.rows.get(table)!.values()] as ReadModelTables[T][];
  }

  /** What to write: rows to upsert and keys to delete, per table. */
  changes<T extends ProjectedTable>(table: T): { upserts: ReadModelTables[T][]; deletes: ReadModelTables[T][] } {
    const upserts: ReadModelTables[T][] = [];
    const deletes: ReadModelTables[T][] = [];
    for (const [k, row] of this.changed.get(table)!) {
      if (row) upserts.push(row as ReadModelTables[T]);
      else deletes.push(Object.fromEntries(PRIMARY_KEYS[table].map((c, i) => [c, k.split('\u0000')[i]])) as unknown as ReadModelTables[T]);
    }
    return { upserts, deletes };
  }
}

/** What the loader must fetch before a batch can be applied. */
export interface Needs {
  readonly subjects: Set<string>;
  readonly erasures: Set<string>;
  readonly recipients: Set<string>;
  /** the batch names policy versions (consents, acceptances): the published versions are loaded to order them */
  policyVersions: boolean;
}

export const subjectIdOf = (streamId: string) =>
  streamId.startsWith(SUBJECT_STREAM_PREFIX) ? streamId.slice(SUBJECT_STREAM_PREFIX.length) : null;

const ERASURE_FOLLOW_UPS = new Set(['ErasureCancelled', 'ErasureStarted', 'DataKeyShredded', 'ErasureAcknowledged', 'ErasureOverdue', 'ErasureCompleted']);

/**
 * What a batch must load. With `newStreamsHaveNoRows`, a subject whose stream starts
 * within the batch (its first event here has revision 0) is not loaded, nor are its
 * erasures: no rows can exist for it when the tables hold nothing past the batch's start
 * (rows and checkpoint commit together; the projector checks no other checkpoint on the
 * tables is further). A rebuild meets most subjects that way.
 */
export function needsOf(events: readonly RecordedEvent[], options: { newStreamsHaveNoRows?: boolean } = {}): Needs {
  const needs: Needs = { subjects: new Set(), erasures: new Set(), recipients: new Set(), policyVersions: false };
  const startsHere = new Set<string>();
  for (const e of events) {
    const subject = subjectIdOf(e.streamId);
    if (subject && !startsHere.has(subject) && !needs.subjects.has(subject)) {
      if (e.revision === 0n && options.newStreamsHaveNoRows) startsHere.add(subject);
      else needs.subjects.add(subject);
    }
    const d = e.data as { erasureId?: string; recipientId?: string };
    if (ERASURE_FOLLOW_UPS.has(e.type) && !(subject && startsHere.has(subject))) needs.erasures.add(d.erasureId!);
    if (e.streamId.startsWith('recipient-')) needs.recipients.add(e.streamId.slice('recipient-'.length));
    if (e.type === 'ConsentGranted' || e.type === 'PolicyAccepted') needs.policyVersions = true;
  }
  return needs;
}

const flag = (b: boolean) => (b ? 1 : 0);
const newer = (row: { position: string | number | bigint } | undefined, e: RecordedEvent) => !row || BigInt(row.position) < e.position;

function emptySubject(subjectId: string): SubjectRow {
  return {
    subject_id: subjectId, status: 'active', agreement_state: 'none', restricted: 0, policy_version: null,
    policy_accepted_mode: null, policy_accepted_at: null, agreement_ended_on: null, retention_ends_on: null,
    open_erasure_id: null, open_obligations: 0, active_legal_holds: 0, erased_at: null, revision: 0, position: 0,
  };
}

/**
 * Applies one stored event to the rows. Every row remembers the position of the last
 * event that changed it and ignores events at or before it, so applying an event twice
 * changes nothing (the checkpoint normally prevents it; this makes it harmless anyway).
 */
export function project(rows: RowSet, recorded: RecordedEvent): void {
  const e = toDomainEvent(recorded.type, recorded.metadata.schemaVersion, recorded.data) as LedgerEvent;
  const position = recorded.position.toString();
  const at = recorded.metadata.occurredAt;
  const subjectId = subjectIdOf(recorded.streamId);

  if (subjectId) {
    const before = rows.get('rm_subjects', { subject_id: subjectId });
    if (!newer(before, recorded)) return;
    const s: SubjectRow = { ...(before ?? emptySubject(subjectId)), revision: Number(recorded.revision), position };
    const consent = (purpose: string) => rows.get('rm_consents', { subject_id: subjectId, purpose });
    // §1.4/§2.1 — the version in force is the latest published of those the subject consented
    // under or accepted, as the decider reckons it: a late-recorded acceptance of an older
    // version, or a consent under one, does not take its place
    const inForceAfter = (version: string) => {
      if (s.policy_version === null) return true;
      const published = (v: string) => rows.get('rm_policy_versions', { version: v })?.published_at ?? '';
      return published(version) > published(s.policy_version);
    };
    switch (e.type) {
      case 'ConsentGranted':
        for (const purpose of e.data.purposes) {
          rows.put('rm_consents', {
            subject_id: subjectId, purpose, basis: e.data.basis, status: 'active', categories: JSON.stringify(e.data.categories),
            policy_version: e.data.policyVersion, channel: e.data.channel, third_party_transfer: flag(e.data.thirdPartyTransfer),
            cross_border_transfer: flag(e.data.crossBorderTransfer), publication: flag(e.data.publication),
            valid_until: e.data.validUntil, granted_at: e.data.grantedAt, withdrawn_on: null, position,
          });
        }
        if (s.agreement_state === 'none') s.agreement_state = 'active';
        if (inForceAfter(e.data.policyVersion)) Object.assign(s, { policy_version: e.data.policyVersion, policy_accepted_mode: 'consent', policy_accepted_at: e.data.grantedAt });
        break;
      case 'ConsentWithdrawn':
        for (const purpose of e.data.purposes) {
          const c = consent(purpose);
          if (c) rows.put('rm_consents', { ...c, status: 'withdrawn', withdrawn_on: e.data.receivedOn, position });
        }
        break;
      case 'WithdrawalRetracted':
        for (const purpose of e.data.purposes) {
          const c = consent(purpose);
          if (c) rows.put('rm_consents', { ...c, status: 'active', withdrawn_on: null, position });
        }
        break;
      case 'WithdrawalRefused':
        break;
      case 'DestructionDemanded':
        // §2.5 — carried out by the erasure it names (scheduled with it, or already open);
        // the subject's history holds the demand
        break;
      case 'PurposeAchieved': {
        const c = consent(e.data.purpose);
        if (c) rows.put('rm_consents', { ...c, status: 'achieved', position });
        break;
      }
      case 'AgreementSuspended':
        s.agreement_state = 'suspended';
        break;
      case 'AgreementResumed':
        s.agreement_state = 'active';
        break;
      case 'AgreementTerminated':
        Object.assign(s, { agreement_state: 'terminated', agreement_ended_on: e.data.endedOn, retention_ends_on: e.data.retentionEndsOn });
        break;
      case 'ErasureScheduled':
        rows.put('rm_erasures', {
          erasure_id: e.data.erasureId, subject_id: subjectId, reason: e.data.reason, withdrawal_id: e.data.withdrawalId,
          received_on: e.data.receivedOn, due_on: e.data.dueOn, status: 'scheduled', cancelled_at: null, completed_at: null,
          awaiting_acknowledgement: '[]', acknowledged: '[]', started_at: null, shredded_at: null, overdue: 0, position,
        });
        s.open_erasure_id = e.data.erasureId;
        break;
      case 'ErasureCancelled': {
        const er = rows.get('rm_erasures', { erasure_id: e.data.erasureId });
        if (er) rows.put('rm_erasures', { ...er, status: 'cancelled', cancelled_at: at, position });
        s.open_erasure_id = null;
        break;
      }
      case 'ErasureStarted': {
        const er = rows.get('rm_erasures', { erasure_id: e.data.erasureId });
        if (er) rows.put('rm_erasures', { ...er, status: 'started', started_at: e.data.startedAt, awaiting_acknowledgement: JSON.stringify(e.data.awaiting), position });
        break;
      }
      case 'DataKeyShredded': {
        const er = rows.get('rm_erasures', { erasure_id: e.data.erasureId });
        if (er) rows.put('rm_erasures', { ...er, status: 'shredded', shredded_at: e.data.shreddedAt, position });
        // the fact of erasure and its date stay; the ciphertext goes too (it is unreadable anyway)
        Object.assign(s, { status: 'erased', erased_at: e.data.shreddedAt });
        for (const pd of rows.all('rm_personal_data').filter((r) => r.subject_id === subjectId)) rows.delete('rm_personal_data', pd);
        break;
      }
      case 'ErasureAcknowledged': {
        const er = rows.get('rm_erasures', { erasure_id: e.data.erasureId });
        if (er) {
          const acknowledged = [...new Set([...(JSON.parse(er.acknowledged) as string[]), e.data.system])].sort();
          rows.put('rm_erasures', { ...er, acknowledged: JSON.stringify(acknowledged), position });
        }
        break;
      }
      case 'ErasureOverdue': {
        const er = rows.get('rm_erasures', { erasure_id: e.data.erasureId });
        if (er) rows.put('rm_erasures', { ...er, overdue: 1, position });
        break;
      }
      case 'ErasureCompleted': {
        const er = rows.get('rm_erasures', { erasure_id: e.data.erasureId });
        if (er) rows.put('rm_erasures', { ...er, status: 'completed', completed_at: e.data.completedAt, position });
        Object.assign(s, { status: 'erased', erased_at: s.erased_at ?? e.data.completedAt, open_erasure_id: null });
        for (const pd of rows.all('rm_personal_data').filter((r) => r.subject_id === subjectId)) rows.delete('rm_personal_data', pd);
        break;
      }
      case 'PersonalDataRecorded':
        rows.put('rm_personal_data', {
          subject_id: subjectId, category: e.data.category, source: e.data.source, sealed: JSON.stringify(e.data.value),
          action: e.data.action, recorded_at: at, position,
        });
        break;
      case 'ProcessingRestricted':
        s.restricted = 1;
        break;
      case 'ProcessingRestrictionLifted':
        s.restricted = 0;
        break;
      case 'TransferRecorded':
        rows.put('rm_transfers', {
          transfer_id: e.data.transferId, subject_id: subjectId, recipient_id: e.data.recipientId,
          recipient_country: e.data.recipientCountry, cross_border: flag(e.data.crossBorder), purpose: e.data.purpose,
          categories: JSON.stringify(e.data.categories), form: e.data.form, transferred_at: e.data.transferredAt, position,
        });
        break;
      case 'ObligationOpened':
        s.open_obligations += 1;
        break;
      case 'ObligationSettled':
        s.open_obligations = Math.max(0, s.open_obligations - 1);
        break;
      case 'LegalHoldPlaced':
        s.active_legal_holds += 1;
        break;
      case 'LegalHoldReleased':
        s.active_legal_holds = Math.max(0, s.active_legal_holds - 1);
        break;
      case 'PolicyAccepted':
        rows.put('rm_policy_acceptances', {
          subject_id: subjectId, policy_version: e.data.policyVersion, mode: e.data.mode, accepted_at: e.data.acceptedAt, position,
        });
        if (inForceAfter(e.data.policyVersion)) Object.assign(s, { policy_version: e.data.policyVersion, policy_accepted_mode: e.data.mode, policy_accepted_at: e.data.acceptedAt });
        break;
      default:
        return; // an event of another stream family under a subject stream: nothing to project
    }
    rows.put('rm_subjects', s);
    return;
  }

  switch (e.type) {
    case 'PolicyVersionPublished':
      rows.put('rm_policy_versions', { version: e.data.version, text_sha256: e.data.textSha256, published_at: e.data.publishedAt, position });
      return;
    case 'RecipientRegistered':
      rows.put('rm_recipients', { recipient_id: e.data.recipientId, name: e.data.name, kind: e.data.kind, country: e.data.country, position });
      return;
    case 'ConfidentialityAgreementRecorded': {
      const recipient_id = recorded.streamId.slice('recipient-'.length);
      rows.put('rm_recipient_agreements', {
        recipient_id, reference: e.data.reference, signed_on: e.data.signedOn, expires_on: e.data.expiresOn, ended_on: null, position,
      });
      return;
    }
    case 'ConfidentialityAgreementEnded': {
      const recipient_id = recorded.streamId.slice('recipient-'.length);
      const a = rows.get('rm_recipient_agreements', { recipient_id, reference: e.data.reference });
      if (a && newer(a, recorded)) rows.put('rm_recipient_agreements', { ...a, ended_on: e.data.endedOn, position });
      return;
    }
    default:
      return;
  }
}
