import { createSubjectDecider, EVENT_REGISTRY, fold, WorkingDayCalendar, type SubjectEvent } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import { defaultTopics, integrationEvents, subjectStateMessage } from './contract';

const decider = createSubjectDecider(new WorkingDayCalendar());
let position = 0n;
const recorded = (e: SubjectEvent, subject = 's-1'): RecordedEvent => ({
  streamId: `subject-${subject}`, revision: position, position: ++position, eventId: `00000000-0000-7000-8000-${String(position).padStart(12, '0')}`,
  type: e.type, data: e.data,
  metadata: { eventId: 'x', schemaVersion: 1, occurredAt: '2026-11-25T05:00:00.000Z', recordedAt: '2026-11-25T05:00:00.000Z', actor: 'a', correlationId: 'c', causationId: 'c', idempotencyKey: null, prevHash: '0', hash: '1' },
});

const CANARY_CT = 'Y2FuYXJ5LWNpcGhlcnRleHQ=';
const granted: SubjectEvent = { type: 'ConsentGranted', data: { consentId: 'c', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01', channel: 'web', thirdPartyTransfer: true, crossBorderTransfer: true, publication: false, validUntil: null, grantedAt: '2026-11-25T05:00:00.000Z' } };
const pd: SubjectEvent = { type: 'PersonalDataRecorded', data: { category: 'email-address', source: 'subject', value: { alg: 'A256GCM', v: 1, iv: 'aXY=', ct: CANARY_CT, tag: 'dGFn' }, action: 'recorded' } };
const transfer: SubjectEvent = { type: 'TransferRecorded', data: { transferId: 't', recipientId: 'de-processor', recipientCountry: 'DE', crossBorder: true, purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-11-25T05:00:00.000Z' } };

/** Internal events that downstream services have no use for, by decision. */
const INTERNAL_ONLY = [
  'AgreementSuspended', 'AgreementResumed', 'AgreementTerminated', 'DataKeyShredded', 'ErasureAcknowledged', 'ProcessingRestricted',
  'ProcessingRestrictionLifted', 'ObligationOpened', 'ObligationSettled', 'LegalHoldPlaced', 'LegalHoldReleased', 'PurposeAchieved',
  // §2.5 — its effect is published: the erasure it schedules, or none when one already open carries it out
  'DestructionDemanded',
];

describe('Kafka contract v1', () => {
  it('names versioned topics, the subject-state one compacted', () => {
    const t = defaultTopics();
    expect(t.transfers.name).toBe('ledger.transfers.v1');
    expect(t.subjectState).toMatchObject({ name: 'ledger.subject-state.v1', compacted: true });
    expect(Object.values(t).filter((x) => x.compacted)).toHaveLength(1);
  });

  it('decides for every subject event type whether it is published (a new type must be decided)', () => {
    const subjectTypes = Object.entries(EVENT_REGISTRY).filter(([, r]) => r.stream === 'subject').map(([t]) => t);
    const published = ['ConsentGranted', 'ConsentWithdrawn', 'WithdrawalRefused', 'WithdrawalRetracted', 'PolicyAccepted', 'PersonalDataRecorded',
      'TransferRecorded', 'ErasureScheduled', 'ErasureCancelled', 'ErasureStarted', 'ErasureOverdue', 'ErasureCompleted'];
    expect([...published, ...INTERNAL_ONLY].sort()).toEqual(subjectTypes.sort());
  });

  it('keys by subject, carries CloudEvents headers, and never the personal-data value', () => {
    const [m] = integrationEvents(recorded(pd));
    expect(m).toMatchObject({ topic: 'personalData', key: 's-1' });
    expect(m!.headers).toMatchObject({ ce_specversion: '1.0', ce_type: 'kz.platform.ledger.personal-data.category-changed.v1', ce_source: '/privacy-ledger', ce_subject: 's-1', ce_time: '2026-11-25T05:00:00.000Z' });
    expect(m!.headers.ce_id).toMatch(/^0{8}-/);
    expect(JSON.parse(m!.value!)).toEqual({ subjectId: 's-1', category: 'email-address', action: 'recorded', source: 'subject' });
    expect(JSON.stringify(m)).not.toContain(CANARY_CT);
  });

  it('marks cross-border transfers in a header as well as the body', () => {
    const [m] = integrationEvents(recorded(transfer));
    expect(m!.headers.ledger_cross_border).toBe('true');
    expect(JSON.parse(m!.value!).crossBorder).toBe(true);
  });

  it('publishes the latest subject state, and a tombstone once the key is shredded', () => {
    const history: SubjectEvent[] = [granted];
    const live = subjectStateMessage(recorded(granted), fold(decider, history));
    expect(JSON.parse(live!.value!)).toMatchObject({ subjectId: 's-1', agreement: 'active', consents: [{ purpose: 'service-provision', status: 'active', validUntil: null }] });
    // a lapse is no event: the state carries the date, so consumers need not wait for one (1.4.0)
    const dated: SubjectEvent = { ...granted, data: { ...(granted.data as object), validUntil: '2027-03-31' } } as SubjectEvent;
    expect(JSON.parse(subjectStateMessage(recorded(dated), fold(decider, [dated]))!.value!).consents[0].validUntil).toBe('2027-03-31');
    const shredded: SubjectEvent = { type: 'DataKeyShredded', data: { erasureId: 'e', shreddedAt: 'x', clause: '§2.10' } };
    const tombstone = subjectStateMessage(recorded(shredded), fold(decider, [...history, shredded]));
    expect(tombstone).toMatchObject({ topic: 'subjectState', key: 's-1', value: null });
  });

  it('publishes nothing for the policy and recipient streams', () => {
    const e = { ...recorded(granted), streamId: 'policy' };
    expect(integrationEvents(e)).toEqual([]);
    expect(subjectStateMessage(e, fold(decider, []))).toBeNull();
  });
});
