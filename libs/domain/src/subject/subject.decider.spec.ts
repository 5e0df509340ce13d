import fc from 'fast-check';
import { specification } from '../../test/specification';
import { kzStartOf } from '../calendar/local-date';
import { WorkingDayCalendar } from '../calendar/working-days';
import { fold } from '../decider';
import { DomainError } from '../errors';
import { PURPOSES, type Purpose } from '../policy/vocabulary';
import type { SealedValue } from '../sealed';
import type { GrantConsent, RecipientSnapshot, SubjectCommand } from './subject.commands';
import { activePurposes, createSubjectDecider, isPurposeActive } from './subject.decider';
import type { ConsentGranted, SubjectEvent } from './subject.events';

const decider = createSubjectDecider(new WorkingDayCalendar());
const spec = specification(decider);
const now = new Date('2026-03-02T06:00:00Z'); // Monday 2 March 2026, 11:00 in Almaty
const policy = { version: '2026-01', publishedAt: '2026-01-10T00:00:00.000Z' };
const sealed: SealedValue = { alg: 'A256GCM', v: 1, iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' };
const kzPartner: RecipientSnapshot = { recipientId: 'r1', kind: 'partner', country: 'KZ', confidentialityAgreementInForce: true };

const granted = (purposes: Purpose[], over: Partial<ConsentGranted['data']> = {}): ConsentGranted => ({
  type: 'ConsentGranted',
  data: {
    consentId: 'c1', purposes, categories: ['email-address', 'first-name'], basis: 'consent', policyVersion: '2026-01',
    channel: 'web', thirdPartyTransfer: true, crossBorderTransfer: false, publication: false, validUntil: null,
    grantedAt: '2026-02-01T00:00:00.000Z', ...over,
  },
});
const grant = (over: Partial<GrantConsent['data']> = {}): GrantConsent => ({
  type: 'GrantConsent', now,
  data: {
    consentId: 'c1', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01',
    policy, channel: 'web', thirdPartyTransfer: false, crossBorderTransfer: false, publication: false, validUntil: null, ...over,
  },
});
const withdrawAll = (receivedOn = '2026-03-02'): SubjectCommand => ({
  type: 'WithdrawConsent', now, data: { withdrawalId: 'w1', erasureId: 'e1', purposes: 'all', receivedOn },
});

describe('subject decider', () => {
  describe('§2.1 grant consent', () => {
    it('records purposes, categories, policy version and channel', () =>
      spec.given([]).when(grant()).thenEvents(([e]) => {
        expect(e).toMatchObject({ type: 'ConsentGranted', data: { policyVersion: '2026-01', channel: 'web', grantedAt: now.toISOString() } });
      }));
    it('is refused under an unpublished policy version', () =>
      spec.given([]).when(grant({ policy: null })).thenThrows('POLICY_VERSION_UNKNOWN', '§2.1'));
    it('is refused while an erasure is scheduled: the subject retracts instead (§2.10)', () =>
      spec.given([granted(['service-provision'])]).when(withdrawAll()).thenEvents((events) => {
        const state = fold(decider, [granted(['service-provision']), ...events]);
        expect(() => decider.decide(grant(), state)).toThrow(DomainError);
      }));
  });

  describe('§2.7/§2.8/§2.10 withdraw consent', () => {
    it('schedules erasure 30 Kazakhstan working days after receipt when no basis remains', () =>
      spec.given([granted(['service-provision'])]).when(withdrawAll()).then([
        { type: 'ConsentWithdrawn', data: { withdrawalId: 'w1', purposes: ['service-provision'], receivedOn: '2026-03-02', retractableUntil: '2026-04-17' } },
        { type: 'AgreementSuspended', data: { reason: 'consent-withdrawn', withdrawalId: 'w1', clause: '§2.7' } },
        { type: 'ErasureScheduled', data: { erasureId: 'e1', reason: 'consent-withdrawn', withdrawalId: 'w1', receivedOn: '2026-03-02', dueOn: '2026-04-17', clause: '§2.10' } },
      ]));
    it('does not schedule erasure while another basis (a legal obligation) remains (§2.9)', () =>
      spec.given([granted(['service-provision']), granted(['legal-compliance'], { basis: 'legal-obligation' })])
        .when(withdrawAll())
        .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['ConsentWithdrawn', 'AgreementSuspended'])));
    it('withdrawing one marketing purpose neither suspends the agreement nor erases', () =>
      spec.given([granted(['service-provision', 'product-promotion'])])
        .when({ type: 'WithdrawConsent', now, data: { withdrawalId: 'w1', erasureId: 'e1', purposes: ['product-promotion'], receivedOn: '2026-03-02' } })
        .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['ConsentWithdrawn'])));
    it('is refused and recorded while a legal hold exists (§2.8)', () =>
      spec.given([granted(['service-provision']), { type: 'LegalHoldPlaced', data: { holdId: 'h1', authority: 'court', reference: 'case-1' } }])
        .when(withdrawAll())
        .then([{ type: 'WithdrawalRefused', data: { withdrawalId: 'w1', purposes: 'all', receivedOn: '2026-03-02', reason: 'legal-hold', clause: '§2.8' } }]));
    it('is refused and recorded while an obligation is open (§2.8)', () =>
      spec.given([granted(['service-provision']), { type: 'ObligationOpened', data: { obligationId: 'o1', kind: 'unpaid-invoice' } }])
        .when(withdrawAll())
        .thenEvents(([e]) => expect(e).toMatchObject({ type: 'WithdrawalRefused', data: { reason: 'open-obligation' } })));
    it('goes through once the obligation is settled', () =>
      spec.given([
        granted(['service-provision']),
        { type: 'ObligationOpened', data: { obligationId: 'o1', kind: 'unpaid-invoice' } },
        { type: 'ObligationSettled', data: { obligationId: 'o1' } },
      ]).when(withdrawAll()).thenEvents((events) => expect(events.at(-1)?.type).toBe('ErasureScheduled')));
    it('rejects a receipt date in the future', () =>
      spec.given([granted(['service-provision'])]).when(withdrawAll('2026-03-03')).thenThrows('DATE_IN_FUTURE'));
    it('cannot withdraw a purpose that rests on a legal obligation (§2.9)', () =>
      spec.given([granted(['legal-compliance'], { basis: 'legal-obligation' })])
        .when({ type: 'WithdrawConsent', now, data: { withdrawalId: 'w1', erasureId: 'e1', purposes: ['legal-compliance'], receivedOn: '2026-03-02' } })
        .thenThrows('BASIS_NOT_CONSENT', '§2.9'));
  });

  describe('§2.10 retract a withdrawal', () => {
    const history = (): SubjectEvent[] => {
      const g = granted(['service-provision']);
      return [g, ...decider.decide(withdrawAll(), fold(decider, [g]))];
    };
    const retractOn = (date: string): SubjectCommand => ({
      type: 'RetractWithdrawal', now: new Date(kzStartOf(date).getTime() + 3_600_000), data: { retractedOn: date, via: 'sign-in' },
    });
    it('on the last working day cancels the erasure and resumes the agreement', () =>
      spec.given(history()).when(retractOn('2026-04-17')).then([
        { type: 'WithdrawalRetracted', data: { withdrawalId: 'w1', purposes: ['service-provision'], retractedOn: '2026-04-17', via: 'sign-in' } },
        { type: 'AgreementResumed', data: { reason: 'withdrawal-retracted', withdrawalId: 'w1' } },
        { type: 'ErasureCancelled', data: { erasureId: 'e1', reason: 'withdrawal-retracted', clause: '§2.10' } },
      ]));
    it('after the due date is refused with the clause', () =>
      spec.given(history()).when(retractOn('2026-04-18')).thenThrows('RETRACTION_TOO_LATE', '§2.10'));
    it('restores the consent, so a new withdrawal schedules a new erasure', () => {
      const h = history();
      const retracted = decider.decide(retractOn('2026-03-10'), fold(decider, h));
      const state = fold(decider, [...h, ...retracted]);
      expect(activePurposes(state, '2026-03-10')).toEqual(['service-provision']);
      const again = decider.decide({ ...withdrawAll('2026-03-10'), now: kzStartOf('2026-03-11') } as SubjectCommand, state);
      expect(again.map((e) => e.type)).toContain('ErasureScheduled');
    });
  });

  describe('§2.10 a retraction that restores a basis', () => {
    it('cancels the erasure scheduled meanwhile because the other purpose was achieved', () => {
      const h: SubjectEvent[] = [granted(['service-provision', 'product-promotion'])];
      const step = (c: SubjectCommand) => h.push(...decider.decide(c, fold(decider, h)));
      step({ type: 'WithdrawConsent', now, data: { withdrawalId: 'w1', erasureId: 'e1', purposes: ['service-provision'], receivedOn: '2026-03-02' } });
      step({ type: 'RecordPurposeAchieved', now, data: { purpose: 'product-promotion', achievedOn: '2026-03-02', erasureId: 'p1' } });
      expect(fold(decider, h).erasure).toMatchObject({ erasureId: 'p1', reason: 'purpose-achieved' });
      return spec.given(h).when({ type: 'RetractWithdrawal', now, data: { retractedOn: '2026-03-02', via: 'application' } }).then([
        { type: 'WithdrawalRetracted', data: { withdrawalId: 'w1', purposes: ['service-provision'], retractedOn: '2026-03-02', via: 'application' } },
        { type: 'AgreementResumed', data: { reason: 'withdrawal-retracted', withdrawalId: 'w1' } },
        { type: 'ErasureCancelled', data: { erasureId: 'p1', reason: 'withdrawal-retracted', clause: '§2.10' } },
      ]);
    });
    it('leaves an erasure for the end of retention, which rests on no basis (§2.6)', () => {
      const h: SubjectEvent[] = [
        granted(['service-provision', 'product-promotion']),
        { type: 'ConsentWithdrawn', data: { withdrawalId: 'w1', purposes: ['product-promotion'], receivedOn: '2026-03-02', retractableUntil: '2026-04-17' } },
        { type: 'AgreementTerminated', data: { endedOn: '2023-02-01', retentionEndsOn: '2026-02-01', reason: 'contract-ended', clause: '§2.6' } },
        { type: 'ErasureScheduled', data: { erasureId: 'r1', reason: 'retention-ended', withdrawalId: null, receivedOn: '2026-02-01', dueOn: '2026-03-16', clause: '§2.10' } },
      ];
      return spec.given(h).when({ type: 'RetractWithdrawal', now, data: { retractedOn: '2026-03-02', via: 'application' } })
        .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['WithdrawalRetracted']));
    });
  });

  describe('§2.7 consenting to the service again after a withdrawal suspended the agreement', () => {
    // the service-provision consent withdrawn; a legal obligation still holds the data, so no erasure
    const suspended = (): SubjectEvent[] => {
      const h: SubjectEvent[] = [granted(['service-provision']), granted(['legal-compliance'], { basis: 'legal-obligation' })];
      return [...h, ...decider.decide(withdrawAll(), fold(decider, h))];
    };
    it('resumes the agreement, naming the withdrawal that suspended it and the new consent', () => {
      expect(suspended().map((e) => e.type)).toEqual(['ConsentGranted', 'ConsentGranted', 'ConsentWithdrawn', 'AgreementSuspended']);
      return spec.given(suspended()).when(grant({ consentId: 'c2' })).thenEvents((events) => {
        expect(events).toEqual([
          expect.objectContaining({ type: 'ConsentGranted' }),
          { type: 'AgreementResumed', data: { reason: 'consent-granted', withdrawalId: 'w1', consentId: 'c2', clause: '§2.7' } },
        ]);
        expect(fold(decider, [...suspended(), ...events]).agreement).toBe('active');
      });
    });
    it('a consent to another purpose leaves it suspended', () =>
      spec.given(suspended()).when(grant({ purposes: ['product-promotion'] }))
        .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['ConsentGranted'])));
    it('a later retraction of that withdrawal does not resume it a second time', () => {
      const h = [...suspended(), ...decider.decide(grant({ consentId: 'c2' }), fold(decider, suspended()))];
      const retract: SubjectCommand = { type: 'RetractWithdrawal', now, data: { retractedOn: '2026-03-02', via: 'application' } };
      expect(decider.decide(retract, fold(decider, h)).map((e) => e.type)).toEqual(['WithdrawalRetracted']);
    });
  });

  describe('§2.5 personal data and blocking', () => {
    const record = (category: 'email-address' | 'phone-number', source: 'subject' | 'third-party' = 'subject'): SubjectCommand => ({
      type: 'RecordPersonalData', now, data: { category, source, value: sealed },
    });
    it('records, then updates, a covered category', () => {
      spec.given([granted(['service-provision'])]).when(record('email-address')).thenEvents(([e]) => expect(e).toMatchObject({ data: { action: 'recorded' } }));
      spec.given([granted(['service-provision']), { type: 'PersonalDataRecorded', data: { category: 'email-address', source: 'subject', value: sealed, action: 'recorded' } }])
        .when(record('email-address')).thenEvents(([e]) => expect(e).toMatchObject({ data: { action: 'updated' } }));
    });
    it('refuses a category no active purpose covers (§2.3)', () =>
      spec.given([granted(['service-provision'])]).when(record('phone-number')).thenThrows('CATEGORY_NOT_COVERED', '§2.3'));
    it('while blocked, refuses collection from third parties but lets the subject rectify', () => {
      const blocked: SubjectEvent[] = [
        granted(['service-provision']),
        { type: 'ProcessingRestricted', data: { restrictionId: 'x', reason: 'accuracy-contested', requestedOn: '2026-03-01', clause: '§2.5' } },
      ];
      spec.given(blocked).when(record('email-address', 'third-party')).thenThrows('PROCESSING_RESTRICTED', '§2.5');
      spec.given(blocked).when(record('email-address', 'subject')).thenEvents((e) => expect(e).toHaveLength(1));
    });
  });

  describe('§2.7 a withdrawal received before a consent was given', () => {
    const given = (purposes: Purpose[], grantedAt: string) => granted(purposes, { grantedAt });
    const withdraw = (purposes: Purpose[] | 'all', receivedOn: string): SubjectCommand => ({
      type: 'WithdrawConsent', now, data: { withdrawalId: 'w1', erasureId: 'e1', purposes, receivedOn },
    });
    it('does not withdraw it: refused, naming the purpose', () =>
      spec.given([given(['service-provision'], '2026-02-25T06:00:00.000Z')]).when(withdraw(['service-provision'], '2026-02-20'))
        .thenThrows('WITHDRAWAL_PREDATES_CONSENT', '§2.7'));
    it('"all" withdraws only the consents given by the day of receipt', () =>
      spec.given([given(['product-promotion'], '2026-02-01T06:00:00.000Z'), { ...given(['marketing-events'], '2026-02-25T06:00:00.000Z'), data: { ...given(['marketing-events'], '2026-02-25T06:00:00.000Z').data, consentId: 'c2' } }])
        .when(withdraw('all', '2026-02-20'))
        .thenEvents(([e]) => expect(e).toMatchObject({ type: 'ConsentWithdrawn', data: { purposes: ['product-promotion'] } })));
    it('"all" with every consent given after receipt is refused', () =>
      spec.given([given(['service-provision'], '2026-02-25T06:00:00.000Z')]).when(withdraw('all', '2026-02-24'))
        .thenThrows('WITHDRAWAL_PREDATES_CONSENT', '§2.7'));
    it('a consent given on the day of receipt is withdrawn (the order within a day is unknown: the withdrawal wins)', () =>
      spec.given([given(['service-provision'], '2026-02-25T18:00:00.000Z')]).when(withdraw(['service-provision'], '2026-02-25'))
        .thenEvents(([e]) => expect(e).toMatchObject({ type: 'ConsentWithdrawn' })));
  });

  describe('§3 transfers', () => {
    const transfer = (recipient: RecipientSnapshot | null, over: Partial<{ purpose: Purpose; transferredAt: Date }> = {}): SubjectCommand => ({
      type: 'RecordTransfer', now,
      data: { transferId: 't1', recipient, purpose: 'service-provision', categories: ['email-address'], form: 'pseudonymised', transferredAt: now, ...over },
    });
    it('records a domestic transfer, not cross-border', () =>
      spec.given([granted(['service-provision'])]).when(transfer(kzPartner))
        .thenEvents(([e]) => expect(e).toMatchObject({ type: 'TransferRecorded', data: { crossBorder: false, recipientCountry: 'KZ' } })));
    it('refuses a cross-border transfer the consent does not allow (Art. 16)', () =>
      spec.given([granted(['service-provision'])]).when(transfer({ ...kzPartner, country: 'DE' })).thenThrows('CROSS_BORDER_NOT_CONSENTED', '§3.2'));
    it('flags an allowed cross-border transfer', () =>
      spec.given([granted(['service-provision'], { crossBorderTransfer: true })]).when(transfer({ ...kzPartner, country: 'DE' }))
        .thenEvents(([e]) => expect(e).toMatchObject({ data: { crossBorder: true, recipientCountry: 'DE' } })));
    it('refuses a recipient without a confidentiality agreement (§4.4)', () =>
      spec.given([granted(['service-provision'])]).when(transfer({ ...kzPartner, confidentialityAgreementInForce: false }))
        .thenThrows('NO_CONFIDENTIALITY_AGREEMENT', '§4.4'));
    it('refuses an unregistered recipient', () =>
      spec.given([granted(['service-provision'])]).when(transfer(null)).thenThrows('RECIPIENT_NOT_REGISTERED'));
    it('refuses a purpose without an active basis', () =>
      spec.given([granted(['service-provision'])]).when(transfer(kzPartner, { purpose: 'marketing-events' })).thenThrows('NO_BASIS_FOR_PURPOSE'));
    describe('§3.2 the basis is judged when the data left, not when the transfer is recorded', () => {
      const withdrawn = (receivedOn: string): SubjectEvent => ({
        type: 'ConsentWithdrawn', data: { withdrawalId: 'w1', purposes: ['service-provision'], receivedOn, retractableUntil: '2026-04-17' },
      });
      it('refuses a transfer made before the consent was given', () =>
        spec.given([granted(['service-provision'])]).when(transfer(kzPartner, { transferredAt: new Date('2026-01-31T23:59:59Z') }))
          .thenThrows('NO_BASIS_AT_TRANSFER_TIME', '§3.2'));
      it('records, late, a transfer made while the consent stood, though it has been withdrawn since', () =>
        spec.given([granted(['service-provision']), withdrawn('2026-02-20')]).when(transfer(kzPartner, { transferredAt: new Date('2026-02-19T12:00:00Z') }))
          .thenEvents(([e]) => expect(e).toMatchObject({ type: 'TransferRecorded', data: { transferredAt: '2026-02-19T12:00:00.000Z' } })));
      it('refuses a transfer on or after the day the withdrawal was received', () =>
        spec.given([granted(['service-provision']), withdrawn('2026-02-20')]).when(transfer(kzPartner, { transferredAt: new Date('2026-02-20T04:00:00Z') }))
          .thenThrows('NO_BASIS_FOR_PURPOSE', '§3.2'));
      it('records a transfer made before a consent expired, after it expired', () =>
        spec.given([granted(['service-provision'], { validUntil: '2026-02-28' })]).when(transfer(kzPartner, { transferredAt: new Date('2026-02-27T12:00:00Z') }))
          .thenEvents(([e]) => expect(e).toMatchObject({ type: 'TransferRecorded' })));
      it('property: recorded exactly when granted by then, not yet withdrawn that Kazakhstan day, and not expired', () => {
        const day = 86_400_000;
        const base = Date.parse('2026-01-01T00:00:00Z');
        fc.assert(fc.property(
          fc.integer({ min: 0, max: 50 * day }), fc.option(fc.integer({ min: 0, max: 58 }), { nil: null }), fc.option(fc.integer({ min: 0, max: 58 }), { nil: null }),
          fc.integer({ min: 0, max: 60 * day - 1 }),
          (grantOffset, withdrawnDay, validDay, transferOffset) => {
            const iso = (d: number) => new Date(base + d * day).toISOString().slice(0, 10);
            const grantedAt = new Date(base + grantOffset).toISOString();
            const history: SubjectEvent[] = [granted(['service-provision'], { grantedAt, validUntil: validDay === null ? null : iso(validDay) })];
            if (withdrawnDay !== null) history.push(withdrawn(iso(withdrawnDay)));
            const at = new Date(base + transferOffset);
            const kzDay = new Date(at.getTime() + 5 * 3_600_000).toISOString().slice(0, 10);
            const expected = at.getTime() >= Date.parse(grantedAt)
              && (withdrawnDay === null || kzDay < iso(withdrawnDay))
              && (validDay === null || kzDay <= iso(validDay));
            const state = fold(decider, history);
            let recorded: boolean;
            try {
              recorded = decider.decide(transfer(kzPartner, { transferredAt: at }), state).length === 1;
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
              recorded = false;
            }
            return recorded === expected;
          },
        ), { numRuns: 500 });
      });
    });
    it('refuses while processing is blocked (§2.5)', () =>
      spec.given([granted(['service-provision']), { type: 'ProcessingRestricted', data: { restrictionId: 'x', reason: 'subject-request', requestedOn: '2026-03-01', clause: '§2.5' } }])
        .when(transfer(kzPartner)).thenThrows('PROCESSING_RESTRICTED', '§2.5'));
    it('refuses after the subject is erased', () =>
      spec.given([granted(['service-provision']), { type: 'ErasureCompleted', data: { erasureId: 'e1', completedAt: now.toISOString(), clause: '§2.10' } }])
        .when(transfer(kzPartner)).thenThrows('SUBJECT_ERASED', '§2.10'));
  });

  describe('§2.6 termination and §1.4 policy acceptance', () => {
    it('termination starts the three-year retention clock', () =>
      spec.given([granted(['service-provision'])]).when({ type: 'TerminateAgreement', now, data: { endedOn: '2026-03-01', reason: 'contract-ended' } })
        .then([{ type: 'AgreementTerminated', data: { endedOn: '2026-03-01', retentionEndsOn: '2029-03-01', reason: 'contract-ended', clause: '§2.6' } }]));
    it('after termination the data is only retained: the subject may rectify it, nothing else is collected', () => {
      const ended: SubjectEvent[] = [
        granted(['service-provision']),
        { type: 'AgreementTerminated', data: { endedOn: '2026-03-01', retentionEndsOn: '2029-03-01', reason: 'contract-ended', clause: '§2.6' } },
      ];
      const record = (source: 'subject' | 'third-party'): SubjectCommand => ({ type: 'RecordPersonalData', now, data: { category: 'email-address', source, value: sealed } });
      spec.given(ended).when(record('third-party')).thenThrows('AGREEMENT_TERMINATED', '§2.6');
      spec.given(ended).when(record('subject')).thenEvents(([e]) => expect(e).toMatchObject({ type: 'PersonalDataRecorded', data: { source: 'subject' } }));
    });
    const accept = (at: string, mode: 'explicit' | 'implied'): SubjectCommand => ({
      type: 'AcceptPolicy', now: new Date('2026-03-02T06:00:00Z'),
      data: { policyVersion: '2026-02', policy: { version: '2026-02', publishedAt: '2026-02-20T05:00:00.000Z' }, mode, at: new Date(at) },
    });
    it('implied acceptance before 7 full days have passed is refused', () =>
      spec.given([granted(['service-provision'])]).when(accept('2026-02-27T18:59:59Z', 'implied')).thenThrows('IMPLIED_ACCEPTANCE_TOO_EARLY', '§1.4'));
    it('implied acceptance from the start of the 8th day counts', () =>
      spec.given([granted(['service-provision'])]).when(accept('2026-02-27T19:00:00Z', 'implied'))
        .thenEvents(([e]) => expect(e).toMatchObject({ type: 'PolicyAccepted', data: { mode: 'implied' } })));
    it('explicit acceptance counts at once', () =>
      spec.given([granted(['service-provision'])]).when(accept('2026-02-20T06:00:00Z', 'explicit')).thenEvents((e) => expect(e).toHaveLength(1)));
  });
});

/** Random command sequences: the invariants the policy promises, whatever happens. */
describe('subject decider properties', () => {
  const day = (n: number) => new Date(Date.UTC(2026, 2, 2 + n, 6));
  const purposeArb = fc.constantFrom(...PURPOSES);
  const commandArb = (n: number): fc.Arbitrary<SubjectCommand> =>
    fc.oneof(
      fc.record({ purposes: fc.uniqueArray(purposeArb, { minLength: 1, maxLength: 3 }), basis: fc.constantFrom('consent', 'contract'), cb: fc.boolean() })
        .map(({ purposes, basis, cb }) => grant({ purposes, basis: basis as 'consent', crossBorderTransfer: cb, thirdPartyTransfer: true, consentId: `c${n}` }) as SubjectCommand),
      fc.constant<SubjectCommand>({ type: 'WithdrawConsent', now, data: { withdrawalId: `w${n}`, erasureId: `e${n}`, purposes: 'all', receivedOn: '2026-03-02' } }),
      fc.constant<SubjectCommand>({ type: 'RetractWithdrawal', now, data: { retractedOn: '2026-03-02', via: 'application' } }),
      fc.constant<SubjectCommand>({ type: 'OpenObligation', now, data: { obligationId: `o${n}`, kind: 'invoice' } }),
      fc.constant<SubjectCommand>({ type: 'PlaceLegalHold', now, data: { holdId: 'h', authority: 'court', reference: 'r' } }),
      fc.constant<SubjectCommand>({ type: 'ReleaseLegalHold', now, data: { holdId: 'h' } }),
      fc.constant<SubjectCommand>({ type: 'RestrictProcessing', now, data: { restrictionId: `x${n}`, reason: 'subject-request', requestedOn: '2026-03-02' } }),
      fc.constant<SubjectCommand>({ type: 'LiftRestriction', now, data: {} }),
      fc.record({ purpose: purposeArb, country: fc.constantFrom('KZ', 'DE') }).map(({ purpose, country }) => ({
        type: 'RecordTransfer', now,
        data: { transferId: `t${n}`, recipient: { ...kzPartner, country }, purpose, categories: ['email-address'], form: 'identifiable', transferredAt: now },
      }) as SubjectCommand),
    ).map((c) => ({ ...c, now: day(0) }) as SubjectCommand);

  it('never records a transfer without an active, permitting basis; every erasure pairs with its withdrawal', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 30 }).chain((ns) => fc.tuple(...ns.map((_, i) => commandArb(i)))), (commands) => {
        let state = decider.initialState;
        const history: SubjectEvent[] = [];
        for (const c of commands) {
          let events: readonly SubjectEvent[] = [];
          try {
            events = decider.decide(c, state);
          } catch (e) {
            expect(e).toBeInstanceOf(DomainError); // refusals are typed, never crashes
            continue;
          }
          for (const e of events) {
            if (e.type === 'TransferRecorded') {
              const p = state.purposes[e.data.purpose];
              expect(p?.status).toBe('active');
              expect(state.restrictionId).toBeNull();
              if (e.data.crossBorder && p?.basis === 'consent') expect(p.crossBorderTransfer).toBe(true);
            }
            if (e.type === 'ErasureScheduled') {
              expect(activePurposes(fold(decider, [...history, ...events]), '2026-03-02')).toEqual([]);
            }
            if (e.type === 'ConsentWithdrawn') {
              expect(state.legalHolds).toEqual([]);
              expect(state.openObligations).toEqual([]);
            }
            if (e.type === 'AgreementResumed') expect(state.agreement).toBe('suspended');
            state = decider.evolve(state, e);
            history.push(e);
          }
          // §2.7 — the agreement is suspended only while the service has no basis
          if (state.agreement === 'suspended') expect(isPurposeActive(state, 'service-provision', '2026-03-02')).toBe(false);
        }
        // at most one erasure open at a time, and it is the one last scheduled and not cancelled
        const scheduled = history.filter((e) => e.type === 'ErasureScheduled').length;
        const cancelled = history.filter((e) => e.type === 'ErasureCancelled').length;
        expect(scheduled - cancelled).toBe(state.erasure ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });

  it('§2.7/§2.10 the agreement stays suspended only while the service has no basis, resumes once per suspension; an erasure waits only while no basis stands', () => {
    const lifecycleArb = (n: number): fc.Arbitrary<SubjectCommand> => fc.oneof(
      fc.record({ purposes: fc.uniqueArray(fc.constantFrom<Purpose>('service-provision', 'product-promotion', 'legal-compliance'), { minLength: 1, maxLength: 2 }), basis: fc.constantFrom('consent', 'contract') })
        .map(({ purposes, basis }) => grant({ purposes, basis: basis as 'consent', consentId: `c${n}` }) as SubjectCommand),
      fc.constantFrom<'all' | Purpose[]>('all', ['service-provision'], ['product-promotion'])
        .map((purposes): SubjectCommand => ({ type: 'WithdrawConsent', now, data: { withdrawalId: `w${n}`, erasureId: `e${n}`, purposes, receivedOn: '2026-03-02' } })),
      fc.constant<SubjectCommand>({ type: 'RetractWithdrawal', now, data: { retractedOn: '2026-03-02', via: 'application' } }),
      fc.constantFrom<Purpose>('service-provision', 'product-promotion')
        .map((purpose): SubjectCommand => ({ type: 'RecordPurposeAchieved', now, data: { purpose, achievedOn: '2026-03-02', erasureId: `p${n}` } })),
    );
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 15 }).chain((ns) => fc.tuple(...ns.map((_, i) => lifecycleArb(i)))), (commands) => {
        let state = decider.initialState;
        for (const c of commands) {
          let events: readonly SubjectEvent[] = [];
          try {
            events = decider.decide(c, state);
          } catch (e) {
            expect(e).toBeInstanceOf(DomainError);
            continue;
          }
          for (const e of events) {
            if (e.type === 'AgreementResumed') expect(state.agreement).toBe('suspended');
            state = decider.evolve(state, e);
          }
          if (state.agreement === 'suspended') expect(isPurposeActive(state, 'service-provision', '2026-03-02')).toBe(false);
          // §2.10 — an erasure waits to be carried out only while nothing holds the data
          if (state.erasure?.stage === 'scheduled' && state.erasure.reason !== 'retention-ended') expect(activePurposes(state, '2026-03-02')).toEqual([]);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
