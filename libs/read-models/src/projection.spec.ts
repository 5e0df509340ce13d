import type { RecordedEvent } from '@ledger/event-store';
import { needsOf } from './projection';

let position = 0n;
const event = (streamId: string, revision: bigint, type: string, data: Record<string, unknown> = {}): RecordedEvent => ({
  streamId, revision, position: ++position, eventId: `e${position}`, type, data,
  metadata: { eventId: `e${position}`, schemaVersion: 1, occurredAt: '2026-11-25T06:00:00.000Z', actor: 't', correlationId: 'c', causationId: 'c', idempotencyKey: null } as RecordedEvent['metadata'],
});

describe('needsOf: what a projection batch loads', () => {
  const batch = [
    event('subject-new', 0n, 'ConsentGranted'),
    event('subject-new', 1n, 'ErasureStarted', { erasureId: 'er-new' }),
    event('subject-old', 4n, 'ErasureStarted', { erasureId: 'er-old' }),
    event('subject-old', 5n, 'ConsentGranted'),
    event('recipient-de-processor', 2n, 'ConfidentialityAgreementRecorded'),
  ];

  it('by default loads every subject, erasure and recipient the batch touches', () => {
    const needs = needsOf(batch);
    expect([...needs.subjects].sort()).toEqual(['new', 'old']);
    expect([...needs.erasures].sort()).toEqual(['er-new', 'er-old']);
    expect([...needs.recipients]).toEqual(['de-processor']);
  });

  it('when no rows can be newer than the batch, skips subjects whose stream starts in it, and their erasures', () => {
    const needs = needsOf(batch, { newStreamsHaveNoRows: true });
    expect([...needs.subjects]).toEqual(['old']);
    expect([...needs.erasures]).toEqual(['er-old']);
    expect([...needs.recipients]).toEqual(['de-processor']);
  });

  it('loads a subject whose first event in the batch is not its first event at all', () => {
    const needs = needsOf([event('subject-mid', 3n, 'ConsentGranted'), event('subject-mid', 4n, 'ConsentGranted')], { newStreamsHaveNoRows: true });
    expect([...needs.subjects]).toEqual(['mid']);
  });
});
