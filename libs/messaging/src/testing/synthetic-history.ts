import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend } from '@ledger/event-store';

/** A subject's first `n` events: a consent, then personal-data records (ciphertext only). */
export function syntheticEvents(n: number): EventToAppend[] {
  return Array.from({ length: n }, (_, i): EventToAppend => {
    const id = randomUUID();
    return {
      type: i === 0 ? 'ConsentGranted' : 'PersonalDataRecorded',
      data: i === 0
        ? { consentId: 'c', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01', channel: 'web', thirdPartyTransfer: false, crossBorderTransfer: false, publication: false, validUntil: null, grantedAt: '2026-03-01T00:00:00.000Z' }
        : { category: 'email-address', source: 'subject', value: { alg: 'A256GCM', v: 1, iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' }, action: i === 1 ? 'recorded' : 'updated' },
      metadata: { eventId: id, schemaVersion: 1, occurredAt: '2026-03-01T00:00:00.000Z', actor: 'test', correlationId: id, causationId: id, idempotencyKey: null },
    };
  });
}

/**
 * `subjects` streams of five events each (`syntheticEvents`), written concurrently so the
 * store group-commits them. Returns the event ids in order: the relay's fault tests check
 * that every one of them reaches the broker.
 */
export async function appendSyntheticHistory(store: EventStore, subjects: number, prefix = 'x'): Promise<string[]> {
  const ids: string[] = [];
  const appends: Promise<unknown>[] = [];
  for (let s = 0; s < subjects; s++) {
    const events = syntheticEvents(5);
    ids.push(...events.map((e) => e.metadata.eventId));
    appends.push(store.append(`subject-${prefix}${s}`, events, { expectedState: 'no_stream' }));
  }
  await Promise.all(appends);
  return ids;
}
