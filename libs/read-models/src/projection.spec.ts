import fc from 'fast-check';
import {
  createSubjectDecider, fold, kzStartOf, registrationOf, WorkingDayCalendar, type SubjectCommand, type SubjectEvent, type SubjectState,
} from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import { needsOf, project, RowSet } from './projection';

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

describe('the read model agrees with the decider (property)', () => {
  const calendar = new WorkingDayCalendar();
  const decider = createSubjectDecider(calendar);
  const policy = { version: '2026-01', publishedAt: '2026-01-10T00:00:00.000Z' };
  const days = ['2026-03-02', '2026-03-20', '2026-04-17', '2026-04-18', '2026-06-01', '2026-07-01'];
  const at = (d: string) => new Date(kzStartOf(d).getTime() + 10 * 3_600_000);
  const purposes = ['service-provision', 'product-promotion', 'legal-compliance'] as const;
  const command = (i: number, d: string, k: number, p: number): SubjectCommand => {
    const now = at(d);
    const purpose = purposes[p % 3]!;
    switch (k) {
      case 0: return {
        type: 'GrantConsent', now,
        data: {
          consentId: `c${i}`, purposes: [purpose], categories: ['email-address'], basis: purpose === 'legal-compliance' ? 'legal-obligation' : 'consent',
          policyVersion: '2026-01', policy, channel: 'web', thirdPartyTransfer: true, crossBorderTransfer: false, publication: false, validUntil: null,
        },
      };
      case 1: return { type: 'WithdrawConsent', now, data: { withdrawalId: `w${i}`, erasureId: `e${i}`, purposes: p % 2 ? 'all' : [purpose], receivedOn: d } };
      case 2: return { type: 'RetractWithdrawal', now, data: { retractedOn: d, via: 'sign-in' } };
      case 3: return { type: 'RecordPurposeAchieved', now, data: { purpose, achievedOn: d, erasureId: `e${i}` } };
      case 4: return p % 2 ? { type: 'RestrictProcessing', now, data: { restrictionId: `x${i}`, reason: 'subject-request', requestedOn: d } } : { type: 'LiftRestriction', now, data: {} };
      case 5: return p % 2 ? { type: 'PlaceLegalHold', now, data: { holdId: `h${p}`, authority: 'court', reference: 'r-1' } } : { type: 'ReleaseLegalHold', now, data: { holdId: `h${p + 1}` } };
      case 6: return p % 2 ? { type: 'OpenObligation', now, data: { obligationId: `o${p}`, kind: 'invoice' } } : { type: 'SettleObligation', now, data: { obligationId: `o${p + 1}` } };
      case 7: return { type: 'TerminateAgreement', now, data: { endedOn: d, reason: 'closed' } };
      case 8: return { type: 'DemandDestruction', now, data: { demandId: `d${i}`, erasureId: `e${i}`, receivedOn: p % 2 ? d : '2026-03-02' } };
      default: return { type: 'RecordPersonalData', now, data: { category: 'email-address', source: 'subject', value: { alg: 'A256GCM', v: 1, iv: 'a', ct: 'b', tag: 'c' } } };
    }
  };
  /** the scheduler's steps for the open erasure on a day */
  const scheduler = (s: SubjectState, d: string): SubjectCommand[] => (s.erasure
    ? [
      { type: 'StartErasure', now: at(d), data: { erasureId: s.erasure.erasureId, internalSystems: [] } },
      { type: 'RecordKeyShredded', now: at(d), data: { erasureId: s.erasure.erasureId } },
    ]
    : []);

  it('on every generated history: agreement, blocking, holds, obligations, open erasure, erasure stage, consents, retention', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom(...days), fc.nat(9), fc.nat(5)), { minLength: 1, maxLength: 30 }),
      (steps) => {
        const history: SubjectEvent[] = [];
        const apply = (c: SubjectCommand) => {
          try {
            history.push(...decider.decide(c, fold(decider, history)));
          } catch { /* refused: the history goes on */ }
        };
        // a subject who consented to the service first, then anything at all
        apply(command(-1, days[0]!, 0, 0));
        [...steps].sort((a, b) => a[0].localeCompare(b[0])).forEach(([d, k, p], i) => {
          apply(command(i, d, k, p));
          if (k % 3 === 0) for (const c of scheduler(fold(decider, history), d)) apply(c);
        });
        const rows = new RowSet();
        history.forEach((e, i) => project(rows, {
          streamId: 'subject-s1', revision: BigInt(i), position: BigInt(i + 1), eventId: `ev${i}`, type: e.type, data: e.data,
          metadata: { eventId: `ev${i}`, schemaVersion: registrationOf(e.type).schemaVersion, occurredAt: '2026-07-01T05:00:00.000Z', actor: 't', correlationId: 'c', causationId: 'c', idempotencyKey: null } as RecordedEvent['metadata'],
        }));
        const s = fold(decider, history);
        const row = rows.get('rm_subjects', { subject_id: 's1' });
        expect({
          status: row!.status, agreement: row!.agreement_state, restricted: row!.restricted === 1, holds: row!.active_legal_holds,
          obligations: row!.open_obligations, openErasure: row!.open_erasure_id, retentionEndsOn: row!.retention_ends_on,
        }).toEqual({
          status: s.status === 'erased' ? 'erased' : 'active', agreement: s.agreement, restricted: s.restrictionId !== null, holds: s.legalHolds.length,
          obligations: s.openObligations.length, openErasure: s.erasure?.erasureId ?? null, retentionEndsOn: s.retentionEndsOn,
        });
        if (s.erasure) {
          expect(rows.get('rm_erasures', { erasure_id: s.erasure.erasureId })!.status).toBe(s.erasure.stage);
        }
        if (s.status !== 'erased') {
          for (const [purpose, p] of Object.entries(s.purposes)) {
            expect({ purpose, status: rows.get('rm_consents', { subject_id: 's1', purpose })?.status }).toEqual({ purpose, status: p!.status });
          }
        }
      },
    ), { numRuns: 400 });
  });
});
