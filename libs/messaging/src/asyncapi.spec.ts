import { createSubjectDecider, fold, WorkingDayCalendar, type SubjectEvent } from '@ledger/domain';
import { CONTRACT_HISTORY } from './testing/contract-history';
import { messageNameByCeType, validatorAt } from './testing/asyncapi-validator';
import type { RecordedEvent } from '@ledger/event-store';
import { integrationEvents, subjectStateMessage, type OutgoingMessage } from './contract';

const byCeType = messageNameByCeType;
const validator = validatorAt;

const decider = createSubjectDecider(new WorkingDayCalendar());
let position = 0n;
const record = (e: SubjectEvent): RecordedEvent => ({
  streamId: 'subject-s_1', revision: position, position: ++position, eventId: `0190a000-0000-7000-8000-${String(position).padStart(12, '0')}`,
  type: e.type, data: e.data,
  metadata: { eventId: 'x', schemaVersion: 1, occurredAt: '2026-04-18T00:00:00.000Z', recordedAt: 'x', actor: 'a', correlationId: 'c', causationId: 'c', idempotencyKey: null, prevHash: '0', hash: '1' },
});

function produced(): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  CONTRACT_HISTORY.forEach((e, i) => {
    const r = record(e);
    out.push(...integrationEvents(r));
    const state = subjectStateMessage(r, fold(decider, CONTRACT_HISTORY.slice(0, i + 1)));
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
