import {
  createSubjectDecider, fold, policyDecider, POLICY_STREAM, recipientDecider, recipientStream, subjectStream, registrationOf, toDomainEvent,
  WorkingDayCalendar, PURPOSES, type Decider, type LedgerEvent, type PolicyCommand, type PolicyEvent, type PolicyState,
  type Purpose, type RecipientCommand, type RecipientEvent, type RecipientState, type SubjectCommand, type SubjectEvent, type SubjectState,
} from '@ledger/domain';
import type { EventStore, EventToAppend } from '@ledger/event-store';

/** A small, seedable generator (mulberry32): the same seed writes the same history. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

let seq = 0;
const metadata = (type: LedgerEvent['type'], now: Date) => {
  const id = `00000000-0000-7000-8000-${(++seq).toString(16).padStart(12, '0')}`;
  return { eventId: id, schemaVersion: registrationOf(type).schemaVersion, occurredAt: now.toISOString(), actor: 'service:history', correlationId: id, causationId: id, idempotencyKey: null };
};

async function decideAndAppend<C, E extends LedgerEvent, S>(store: EventStore, decider: Decider<C, E, S>, stream: string, command: (s: S) => C): Promise<number> {
  const stored = await store.readStream(stream);
  const state = fold(decider, stored.map((e) => toDomainEvent(e.type, e.metadata.schemaVersion, e.data) as E));
  let events: readonly E[];
  try {
    events = decider.decide(command(state), state);
  } catch {
    return 0; // refused: the history simply goes on
  }
  const toAppend: EventToAppend[] = events.map((e) => ({ type: e.type, data: e.data, metadata: metadata(e.type, new Date('2026-11-25T06:00:00Z')) }));
  await store.append(stream, toAppend, { expectedState: stored.at(-1)?.revision ?? 'no_stream' });
  return events.length;
}

/**
 * Writes a plausible ledger history through the real deciders: a policy, two recipients,
 * then subjects that consent, record data, transfer, withdraw, retract, block and end
 * their agreements, until at least `events` events are stored. Returns the count.
 */
export async function writeHistory(store: EventStore, events: number, seed = 1): Promise<number> {
  const rnd = seeded(seed);
  const now = new Date('2026-11-25T06:00:00Z');
  const decider = createSubjectDecider(new WorkingDayCalendar());
  let written = 0;
  written += await decideAndAppend<PolicyCommand, PolicyEvent, PolicyState>(store, policyDecider, POLICY_STREAM, () => ({
    type: 'PublishPolicyVersion', now, data: { version: '2026-01', textSha256: 'a'.repeat(64), publishedAt: new Date('2026-01-10T00:00:00Z') },
  }));
  for (const [id, country] of [['kz-partner', 'KZ'], ['de-processor', 'DE']] as const) {
    written += await decideAndAppend<RecipientCommand, RecipientEvent, RecipientState>(store, recipientDecider, recipientStream(id), () => ({
      type: 'RegisterRecipient', now, data: { recipientId: id, name: id, kind: 'partner', country },
    }));
    written += await decideAndAppend<RecipientCommand, RecipientEvent, RecipientState>(store, recipientDecider, recipientStream(id), () => ({
      type: 'RecordConfidentialityAgreement', now, data: { reference: `nda-${id}`, signedOn: '2026-01-15', expiresOn: null },
    }));
  }
  const sealed = { alg: 'A256GCM' as const, v: 1 as const, iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' };
  for (let subject = 0; written < events; subject++) {
    const stream = subjectStream(`h${seed}s${subject}`);
    const step = (command: (s: SubjectState) => SubjectCommand) =>
      decideAndAppend<SubjectCommand, SubjectEvent, SubjectState>(store, decider, stream, command);
    written += await step((): SubjectCommand => ({
      type: 'GrantConsent', now,
      data: {
        consentId: `c${subject}`, purposes: (['service-provision', rnd.pick(PURPOSES)] as Purpose[]).filter((p, i, a) => a.indexOf(p) === i),
        categories: ['email-address', 'phone-number'], basis: 'consent', policyVersion: '2026-01',
        policy: { version: '2026-01', publishedAt: '2026-01-10T00:00:00.000Z' }, channel: 'web',
        thirdPartyTransfer: true, crossBorderTransfer: rnd.next() < 0.5, publication: false, validUntil: null,
      },
    }));
    const actions = 2 + rnd.int(6);
    for (let i = 0; i < actions && written < events; i++) {
      const r = rnd.next();
      written += await step((): SubjectCommand => {
        if (r < 0.3) return { type: 'RecordPersonalData', now, data: { category: rnd.pick(['email-address', 'phone-number'] as const), source: 'subject', value: sealed } };
        if (r < 0.5) {
          return {
            type: 'RecordTransfer', now,
            data: {
              transferId: `t${subject}-${i}`, purpose: 'service-provision', categories: ['email-address'], form: 'pseudonymised', transferredAt: now,
              recipient: { recipientId: rnd.pick(['kz-partner', 'de-processor']), kind: 'partner', country: rnd.pick(['KZ', 'DE']), confidentialityAgreementInForce: true },
            },
          };
        }
        if (r < 0.62) return { type: 'WithdrawConsent', now, data: { withdrawalId: `w${subject}-${i}`, erasureId: `e${subject}-${i}`, purposes: 'all', receivedOn: '2026-11-25' } };
        if (r < 0.7) return { type: 'RetractWithdrawal', now, data: { retractedOn: '2026-11-25', via: 'sign-in' } };
        if (r < 0.78) return { type: 'RestrictProcessing', now, data: { restrictionId: `x${subject}-${i}`, reason: 'subject-request', requestedOn: '2026-11-25' } };
        if (r < 0.84) return { type: 'LiftRestriction', now, data: {} };
        if (r < 0.9) return { type: 'OpenObligation', now, data: { obligationId: `o${subject}-${i}`, kind: 'invoice' } };
        if (r < 0.95) return { type: 'AcceptPolicy', now, data: { policyVersion: '2026-01', policy: { version: '2026-01', publishedAt: '2026-01-10T00:00:00.000Z' }, mode: 'explicit', at: now } };
        return { type: 'TerminateAgreement', now, data: { endedOn: '2026-11-24', reason: 'contract-ended' } };
      });
    }
  }
  return written;
}
