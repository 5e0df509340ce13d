import {
  SUBJECT_STREAM_PREFIX, toDomainEvent, type LedgerEvent, type SubjectEvent, type SubjectState,
} from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';

/**
 * The public Kafka contract (docs/asyncapi.yaml): integration events, separate from the
 * internal events and versioned on their own. A value never carries personal data —
 * personal-data events say which category changed, never the value.
 */
export const CONTRACT_VERSION = 'v1';

export type TopicKey = 'consent' | 'personalData' | 'transfers' | 'erasure' | 'subjectState' | 'acknowledgements';

export interface TopicConfig {
  readonly name: string;
  readonly partitions: number;
  readonly compacted: boolean;
}

export type Topics = Record<TopicKey, TopicConfig>;

export function defaultTopics(prefix = 'ledger', partitions = 6): Topics {
  const t = (name: string, compacted = false): TopicConfig => ({ name: `${prefix}.${name}.${CONTRACT_VERSION}`, partitions, compacted });
  return {
    consent: t('consent'),
    personalData: t('personal-data'),
    transfers: t('transfers'),
    erasure: t('erasure'),
    subjectState: t('subject-state', true),
    acknowledgements: t('erasure-acknowledgements'),
  };
}

/** One message to publish: key = subject id (per-subject order), CloudEvents headers. */
export interface OutgoingMessage {
  readonly topic: TopicKey;
  readonly key: string;
  /** JSON, or null for a compaction tombstone */
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

const CE_SOURCE = '/privacy-ledger';

/** `ce_type` per integration type, built once: one flat string shared by every message */
const ceTypes = new Map<string, string>();
const ceType = (type: string): string => {
  let full = ceTypes.get(type);
  if (full === undefined) {
    full = `kz.platform.ledger.${type}.${CONTRACT_VERSION}`;
    ceTypes.set(type, full);
  }
  return full;
};

function ce(e: RecordedEvent, type: string, subjectId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ce_specversion: '1.0',
    ce_id: e.eventId,
    ce_type: ceType(type),
    ce_source: CE_SOURCE,
    ce_time: e.metadata.occurredAt,
    ce_subject: subjectId,
    'content-type': 'application/json',
    ...extra,
  };
}

const message = (topic: TopicKey, e: RecordedEvent, type: string, subjectId: string, data: Record<string, unknown>, extra?: Record<string, string>): OutgoingMessage => ({
  topic,
  key: subjectId,
  value: JSON.stringify({ subjectId, ...data }),
  headers: ce(e, type, subjectId, extra),
});

/**
 * The integration events one stored event becomes (possibly none). Mapping is explicit
 * per internal type: a new internal event publishes nothing until someone decides what
 * it means to downstream services.
 */
export function integrationEvents(e: RecordedEvent, domain: LedgerEvent = toDomainEvent(e.type, e.metadata.schemaVersion, e.data)): OutgoingMessage[] {
  if (!e.streamId.startsWith(SUBJECT_STREAM_PREFIX)) return [];
  const subjectId = e.streamId.slice(SUBJECT_STREAM_PREFIX.length);
  const d = domain as SubjectEvent;
  switch (d.type) {
    case 'ConsentGranted':
      return [message('consent', e, 'consent.granted', subjectId, {
        purposes: d.data.purposes, categories: d.data.categories, basis: d.data.basis, policyVersion: d.data.policyVersion,
        thirdPartyTransfer: d.data.thirdPartyTransfer, crossBorderTransfer: d.data.crossBorderTransfer, validUntil: d.data.validUntil,
      })];
    case 'ConsentWithdrawn':
      return [message('consent', e, 'consent.withdrawn', subjectId, { purposes: d.data.purposes, receivedOn: d.data.receivedOn, retractableUntil: d.data.retractableUntil })];
    case 'WithdrawalRefused':
      return [message('consent', e, 'consent.withdrawal-refused', subjectId, { reason: d.data.reason, clause: d.data.clause })];
    case 'WithdrawalRetracted':
      return [message('consent', e, 'consent.withdrawal-retracted', subjectId, { purposes: d.data.purposes, retractedOn: d.data.retractedOn })];
    case 'PolicyAccepted':
      return [message('consent', e, 'consent.policy-accepted', subjectId, { policyVersion: d.data.policyVersion, mode: d.data.mode, acceptedAt: d.data.acceptedAt })];
    case 'PersonalDataRecorded':
      // the category and the fact, never the value
      return [message('personalData', e, 'personal-data.category-changed', subjectId, { category: d.data.category, action: d.data.action, source: d.data.source })];
    case 'TransferRecorded':
      return [message('transfers', e, 'transfer.recorded', subjectId, {
        transferId: d.data.transferId, recipientId: d.data.recipientId, recipientCountry: d.data.recipientCountry,
        crossBorder: d.data.crossBorder, purpose: d.data.purpose, categories: d.data.categories, form: d.data.form,
        transferredAt: d.data.transferredAt,
      }, { ledger_cross_border: String(d.data.crossBorder) })];
    case 'ErasureScheduled':
      return [message('erasure', e, 'erasure.scheduled', subjectId, { erasureId: d.data.erasureId, reason: d.data.reason, dueOn: d.data.dueOn })];
    case 'ErasureCancelled':
      return [message('erasure', e, 'erasure.cancelled', subjectId, { erasureId: d.data.erasureId, reason: d.data.reason })];
    case 'ErasureStarted':
      // the signal to delete: every system named in `awaiting` acknowledges on the acknowledgements topic
      return [message('erasure', e, 'erasure.started', subjectId, { erasureId: d.data.erasureId, awaiting: d.data.awaiting })];
    case 'ErasureOverdue':
      return [message('erasure', e, 'erasure.overdue', subjectId, { erasureId: d.data.erasureId, dueOn: d.data.dueOn, missing: d.data.missing })];
    case 'ErasureCompleted':
      return [message('erasure', e, 'erasure.completed', subjectId, { erasureId: d.data.erasureId, completedAt: d.data.completedAt })];
    default:
      return [];
  }
}

/**
 * The compacted subject-state topic: the subject's state after `e`, or a tombstone once
 * its data is shredded. The relay sends it for a subject's last event in each batch
 * (contract 1.1.0).
 */
export function subjectStateMessage(e: RecordedEvent, state: SubjectState): OutgoingMessage | null {
  if (!e.streamId.startsWith(SUBJECT_STREAM_PREFIX)) return null;
  const subjectId = e.streamId.slice(SUBJECT_STREAM_PREFIX.length);
  const headers = ce(e, 'subject.state', subjectId);
  if (state.status === 'erased') return { topic: 'subjectState', key: subjectId, value: null, headers };
  return {
    topic: 'subjectState',
    key: subjectId,
    value: JSON.stringify({
      subjectId,
      revision: e.revision.toString(),
      agreement: state.agreement,
      restricted: state.restrictionId !== null,
      // validUntil (1.4.0): a lapse is no event, so a consumer of the latest state needs the
      // date to stop relying on a consent past it (§2.10, Law 94-V Art. 8)
      consents: Object.entries(state.purposes).map(([purpose, p]) => ({ purpose, basis: p!.basis, status: p!.status, validUntil: p!.validUntil })),
      openErasure: state.erasure ? { erasureId: state.erasure.erasureId, dueOn: state.erasure.dueOn, stage: state.erasure.stage } : null,
    }),
    headers,
  };
}
