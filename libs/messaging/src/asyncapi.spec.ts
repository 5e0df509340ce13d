import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createSubjectDecider, fold, WorkingDayCalendar, type SubjectEvent } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import { integrationEvents, subjectStateMessage, type OutgoingMessage } from './contract';

const doc = parse(readFileSync(join(__dirname, '../../../docs/asyncapi.yaml'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(doc, 'asyncapi');
const validator = (pointer: string) => {
  const v = ajv.getSchema(`asyncapi#${pointer}`);
  if (!v) throw new Error(`no schema at ${pointer}`);
  return v;
};
const byCeType = new Map<string, string>(
  Object.entries(doc.components.messages as Record<string, { 'x-ce-type': string }>).map(([name, m]) => [m['x-ce-type'], name]),
);

const decider = createSubjectDecider(new WorkingDayCalendar());
let position = 0n;
const record = (e: SubjectEvent): RecordedEvent => ({
  streamId: 'subject-s_1', revision: position, position: ++position, eventId: `0190a000-0000-7000-8000-${String(position).padStart(12, '0')}`,
  type: e.type, data: e.data,
  metadata: { eventId: 'x', schemaVersion: 1, occurredAt: '2026-04-18T00:00:00.000Z', recordedAt: 'x', actor: 'a', correlationId: 'c', causationId: 'c', idempotencyKey: null, prevHash: '0', hash: '1' },
});

/** One of every published internal event, in an order the decider would write them. */
const history: SubjectEvent[] = [
  { type: 'ConsentGranted', data: { consentId: 'c', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01', channel: 'web', thirdPartyTransfer: true, crossBorderTransfer: true, publication: false, validUntil: null, grantedAt: '2026-03-01T00:00:00.000Z' } },
  { type: 'PolicyAccepted', data: { policyVersion: '2026-01', mode: 'explicit', acceptedAt: '2026-03-01T00:00:00.000Z', clause: '§1.4' } },
  { type: 'PersonalDataRecorded', data: { category: 'email-address', source: 'subject', value: { alg: 'A256GCM', v: 1, iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' }, action: 'recorded' } },
  { type: 'TransferRecorded', data: { transferId: 't1', recipientId: 'de-processor', recipientCountry: 'DE', crossBorder: true, purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-03-01T00:00:00.000Z' } },
  { type: 'WithdrawalRefused', data: { withdrawalId: 'w0', purposes: 'all', receivedOn: '2026-03-01', reason: 'open-obligation', clause: '§2.8' } },
  { type: 'ConsentWithdrawn', data: { withdrawalId: 'w1', purposes: ['service-provision'], receivedOn: '2026-03-02', retractableUntil: '2026-04-17' } },
  { type: 'ErasureScheduled', data: { erasureId: 'e1', reason: 'consent-withdrawn', withdrawalId: 'w1', receivedOn: '2026-03-02', dueOn: '2026-04-17', clause: '§2.10' } },
  { type: 'WithdrawalRetracted', data: { withdrawalId: 'w1', purposes: ['service-provision'], retractedOn: '2026-03-03', via: 'sign-in' } },
  { type: 'ErasureCancelled', data: { erasureId: 'e1', reason: 'withdrawal-retracted', clause: '§2.10' } },
  { type: 'ConsentWithdrawn', data: { withdrawalId: 'w2', purposes: ['service-provision'], receivedOn: '2026-03-02', retractableUntil: '2026-04-17' } },
  { type: 'ErasureScheduled', data: { erasureId: 'e2', reason: 'consent-withdrawn', withdrawalId: 'w2', receivedOn: '2026-03-02', dueOn: '2026-04-17', clause: '§2.10' } },
  { type: 'ErasureStarted', data: { erasureId: 'e2', startedAt: '2026-04-18T00:00:00.000Z', awaiting: ['crm'], clause: '§2.10' } },
  { type: 'DataKeyShredded', data: { erasureId: 'e2', shreddedAt: '2026-04-18T00:00:00.000Z', clause: '§2.10' } },
  { type: 'ErasureOverdue', data: { erasureId: 'e2', dueOn: '2026-04-17', detectedOn: '2026-04-21', missing: ['crm'], clause: '§2.10' } },
  { type: 'ErasureCompleted', data: { erasureId: 'e2', completedAt: '2026-04-22T00:00:00.000Z', clause: '§2.10' } },
];

function produced(): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  history.forEach((e, i) => {
    const r = record(e);
    out.push(...integrationEvents(r));
    const state = subjectStateMessage(r, fold(decider, history.slice(0, i + 1)));
    if (state) out.push(state);
  });
  return out;
}

describe('docs/asyncapi.yaml', () => {
  const messages = produced();

  it('documents every message the relay produces, and validates each one (headers and body)', () => {
    for (const m of messages) {
      const name = byCeType.get(m.headers.ce_type!);
      expect({ ceType: m.headers.ce_type, documented: !!name }).toEqual({ ceType: m.headers.ce_type, documented: true });
      const headers = validator(`/components/messages/${name}/headers`);
      expect({ name, ok: headers(m.headers), errors: headers.errors }).toEqual({ name, ok: true, errors: null });
      const payload = validator(`/components/messages/${name}/payload`);
      const body = m.value === null ? null : JSON.parse(m.value);
      expect({ name, ok: payload(body), errors: payload.errors }).toEqual({ name, ok: true, errors: null });
    }
  });

  it('lists no message the relay does not produce (acknowledgements aside: the ledger consumes them)', () => {
    const producedTypes = new Set(messages.map((m) => m.headers.ce_type));
    const documented = [...byCeType.keys()].filter((t) => !t.includes('erasure.acknowledged'));
    expect(documented.filter((t) => !producedTypes.has(t))).toEqual([]);
  });

  it('rejects a body with an extra field: a value can never slip into a message unnoticed', () => {
    const v = validator('/components/messages/categoryChanged/payload');
    expect(v({ subjectId: 's', category: 'email-address', action: 'recorded', source: 'subject', value: 'alice@example.kz' })).toBe(false);
    const ack = validator('/components/messages/erasureAcknowledged/payload');
    expect(ack({ subjectId: 's_1', erasureId: 'e2', system: 'crm' })).toBe(true);
  });
});
