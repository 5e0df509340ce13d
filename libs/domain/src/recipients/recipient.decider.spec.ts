import fc from 'fast-check';
import { specification } from '../../test/specification';
import { addDays, compareDates, type LocalDate } from '../calendar/local-date';
import { fold } from '../decider';
import { agreementInForce, recipientDecider, recipientSnapshot, type RecipientCommand, type RecipientEvent } from './recipient.decider';

const spec = specification(recipientDecider);
const now = new Date('2026-03-02T06:00:00Z'); // Monday 2 March 2026, 11:00 in Almaty
const registration = { recipientId: 'r1', name: 'acme-support', kind: 'processor', country: 'DE' } as const;
const registered: RecipientEvent = { type: 'RecipientRegistered', data: registration };
const agreement = (reference: string, signedOn: LocalDate, expiresOn: LocalDate | null = null): RecipientEvent =>
  ({ type: 'ConfidentialityAgreementRecorded', data: { reference, signedOn, expiresOn, clause: '§4.4' } });
const ended = (reference: string, endedOn: LocalDate): RecipientEvent =>
  ({ type: 'ConfidentialityAgreementEnded', data: { reference, endedOn, clause: '§4.4' } });
const record = (reference: string, signedOn: LocalDate, expiresOn: LocalDate | null = null, at = now): RecipientCommand =>
  ({ type: 'RecordConfidentialityAgreement', now: at, data: { reference, signedOn, expiresOn } });
const end = (reference: string, endedOn: LocalDate): RecipientCommand => ({ type: 'EndConfidentialityAgreement', now, data: { reference, endedOn } });

describe('recipient decider (§3.1, §4.4)', () => {
  describe('§3.1 register', () => {
    it('registers a recipient with its kind and country', () =>
      spec.given([]).when({ type: 'RegisterRecipient', now, data: registration }).then([registered]));
    it('refuses a second registration under the same id', () =>
      spec.given([registered]).when({ type: 'RegisterRecipient', now, data: registration }).thenThrows('RECIPIENT_EXISTS', '§3.1'));
  });

  describe('§4.4 confidentiality agreements', () => {
    it('records an agreement of a registered recipient', () =>
      spec.given([registered]).when(record('nda-1', '2026-01-15', '2027-01-14')).then([agreement('nda-1', '2026-01-15', '2027-01-14')]));
    it('refuses one for a recipient not in the register', () =>
      spec.given([]).when(record('nda-1', '2026-01-15')).thenThrows('RECIPIENT_NOT_REGISTERED', '§4.4'));
    it('takes "today" in Kazakhstan time: at 01:00 in Almaty the UTC day before is already yesterday', () => {
      const at = new Date('2026-03-02T20:00:00Z'); // 3 March, 01:00 in Almaty
      spec.given([registered]).when(record('nda-1', '2026-03-03', null, at)).then([agreement('nda-1', '2026-03-03')]);
      spec.given([registered]).when(record('nda-1', '2026-03-04', null, at)).thenThrows('DATE_IN_FUTURE');
    });
    it('refuses an expiry before the signature, accepts one on the same day', () => {
      spec.given([registered]).when(record('nda-1', '2026-01-15', '2026-01-14')).thenThrows('INVALID_PERIOD');
      spec.given([registered]).when(record('nda-1', '2026-01-15', '2026-01-15')).then([agreement('nda-1', '2026-01-15', '2026-01-15')]);
    });
    it('keeps a reference unique, even once its agreement has ended', () =>
      spec.given([registered, agreement('nda-1', '2026-01-15'), ended('nda-1', '2026-02-01')])
        .when(record('nda-1', '2026-02-10'))
        .thenThrows('AGREEMENT_EXISTS', '§4.4'));
    it('ends an agreement in force', () =>
      spec.given([registered, agreement('nda-1', '2026-01-15')]).when(end('nda-1', '2026-02-01')).then([ended('nda-1', '2026-02-01')]));
    it('refuses to end an unknown or already ended agreement', () => {
      spec.given([registered]).when(end('nda-1', '2026-02-01')).thenThrows('AGREEMENT_NOT_IN_FORCE', '§4.4');
      spec.given([registered, agreement('nda-1', '2026-01-15'), ended('nda-1', '2026-02-01')])
        .when(end('nda-1', '2026-02-02'))
        .thenThrows('AGREEMENT_NOT_IN_FORCE', '§4.4');
    });
    it('refuses an end before the signature', () =>
      spec.given([registered, agreement('nda-1', '2026-01-15')]).when(end('nda-1', '2026-01-14')).thenThrows('INVALID_PERIOD'));
  });

  describe('§4.4 in force on a day, as a transfer is judged', () => {
    const state = fold(recipientDecider, [registered, agreement('nda-1', '2026-01-15', '2026-06-30'), ended('nda-1', '2026-05-01')]);
    it.each([
      ['2026-01-14', false, 'the day before it was signed'],
      ['2026-01-15', true, 'the day it was signed'],
      ['2026-04-30', true, 'the last day before it ended'],
      ['2026-05-01', false, 'the day it ended'],
      ['2026-06-30', false, 'its expiry, already ended'],
    ])('%s: %s (%s)', (day, inForce) => {
      expect(agreementInForce(state, day)).toBe(inForce);
      expect(recipientSnapshot(state, day)).toEqual({ recipientId: 'r1', kind: 'processor', country: 'DE', confidentialityAgreementInForce: inForce });
    });
    it('stands through its expiry day when not ended, and not after', () => {
      const s = fold(recipientDecider, [registered, agreement('nda-1', '2026-01-15', '2026-06-30')]);
      expect(agreementInForce(s, '2026-06-30')).toBe(true);
      expect(agreementInForce(s, '2026-07-01')).toBe(false);
    });
    it('a recipient not in the register has no snapshot: a transfer to it is refused (§3.1)', () =>
      expect(recipientSnapshot(recipientDecider.initialState, '2026-03-02')).toBeNull());
  });

  describe('properties over agreements recorded and ended through the decider', () => {
    const base = '2025-01-01';
    /** an agreement as offsets in days from `base`: signed, optional expiry and end after it */
    const agreementArb = fc.record({
      signed: fc.integer({ min: 0, max: 400 }),
      expiresAfter: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
      endedAfter: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
    });
    const afterAll = new Date('2027-06-01T06:00:00Z');
    /** the events the decider records for these agreements (each command must be accepted) */
    const history = (agreements: readonly { signed: number; expiresAfter: number | null; endedAfter: number | null }[]) => {
      let events: RecipientEvent[] = [registered];
      const run = (c: RecipientCommand) => {
        events = [...events, ...recipientDecider.decide(c, fold(recipientDecider, events))];
      };
      agreements.forEach((a, i) => {
        const signedOn = addDays(base, a.signed);
        run(record(`nda-${i}`, signedOn, a.expiresAfter === null ? null : addDays(signedOn, a.expiresAfter), afterAll));
      });
      agreements.forEach((a, i) => {
        if (a.endedAfter !== null) run({ type: 'EndConfidentialityAgreement', now: afterAll, data: { reference: `nda-${i}`, endedOn: addDays(addDays(base, a.signed), a.endedAfter) } });
      });
      return fold(recipientDecider, events);
    };
    const days = (from: LocalDate, count: number) => Array.from({ length: count }, (_, i) => addDays(from, i));

    it('one agreement is in force on one unbroken run of days, starting the day it was signed (unless ended that day)', () =>
      fc.assert(fc.property(agreementArb, (a) => {
        const s = history([a]);
        const signedOn = addDays(base, a.signed);
        const inForce = days(addDays(base, -5), 900).filter((d) => agreementInForce(s, d));
        const endedOnSigning = a.endedAfter === 0;
        expect(inForce.length === 0).toBe(endedOnSigning);
        if (inForce.length === 0) return;
        expect(inForce[0]).toBe(signedOn);
        // unbroken: the days in force are consecutive
        inForce.forEach((d, i) => expect(d).toBe(addDays(signedOn, i)));
        const last = inForce.at(-1)!;
        if (a.expiresAfter !== null) expect(compareDates(last, addDays(signedOn, a.expiresAfter))).toBeLessThanOrEqual(0);
        if (a.endedAfter !== null) expect(compareDates(last, addDays(signedOn, a.endedAfter))).toBeLessThan(0);
      })));

    it('with several agreements, a day is covered exactly when one of them alone would cover it', () =>
      fc.assert(fc.property(fc.array(agreementArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: -5, max: 900 }), (list, offset) => {
        const day = addDays(base, offset);
        expect(agreementInForce(history(list), day)).toBe(list.some((a) => agreementInForce(history([a]), day)));
      })));

    it('ending an agreement takes away only the days from its end on', () =>
      fc.assert(fc.property(agreementArb, fc.integer({ min: -5, max: 900 }), (a, offset) => {
        const day = addDays(base, offset);
        const open = history([{ ...a, endedAfter: null }]);
        const closed = history([a]);
        const endedOn = a.endedAfter === null ? null : addDays(addDays(base, a.signed), a.endedAfter);
        if (endedOn === null || compareDates(day, endedOn) < 0) expect(agreementInForce(closed, day)).toBe(agreementInForce(open, day));
        else expect(agreementInForce(closed, day)).toBe(false);
      })));
  });
});
