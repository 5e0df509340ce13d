import { compareDates, kzDateOf, type LocalDate } from '../calendar/local-date';
import type { Decider } from '../decider';
import { assertNever } from '../decider';
import { invalid, refused } from '../errors';
import type { RecipientKind } from '../policy/vocabulary';
import type { RecipientSnapshot } from '../subject/subject.commands';

/** The third-party register, one `recipient-<id>` stream each (§2.2, §3, §4.4). */
export type RecipientEvent =
  | Readonly<{ type: 'RecipientRegistered'; data: Readonly<{ recipientId: string; name: string; kind: RecipientKind; country: string }> }>
  | Readonly<{ type: 'ConfidentialityAgreementRecorded'; data: Readonly<{ reference: string; signedOn: LocalDate; expiresOn: LocalDate | null; clause: '§4.4' }> }>
  | Readonly<{ type: 'ConfidentialityAgreementEnded'; data: Readonly<{ reference: string; endedOn: LocalDate; clause: '§4.4' }> }>;

export type RecipientCommand =
  | Readonly<{ type: 'RegisterRecipient'; data: Readonly<{ recipientId: string; name: string; kind: RecipientKind; country: string }>; now: Date }>
  | Readonly<{ type: 'RecordConfidentialityAgreement'; data: Readonly<{ reference: string; signedOn: LocalDate; expiresOn: LocalDate | null }>; now: Date }>
  | Readonly<{ type: 'EndConfidentialityAgreement'; data: Readonly<{ reference: string; endedOn: LocalDate }>; now: Date }>;

interface Agreement {
  readonly reference: string;
  readonly signedOn: LocalDate;
  readonly expiresOn: LocalDate | null;
  readonly endedOn: LocalDate | null;
}
export interface RecipientState {
  readonly registered: { readonly recipientId: string; readonly name: string; readonly kind: RecipientKind; readonly country: string } | null;
  readonly agreements: readonly Agreement[];
}

export const recipientDecider: Decider<RecipientCommand, RecipientEvent, RecipientState> = {
  initialState: { registered: null, agreements: [] },
  evolve: (s, e) => {
    switch (e.type) {
      case 'RecipientRegistered':
        return { ...s, registered: e.data };
      case 'ConfidentialityAgreementRecorded':
        return { ...s, agreements: [...s.agreements, { reference: e.data.reference, signedOn: e.data.signedOn, expiresOn: e.data.expiresOn, endedOn: null }] };
      case 'ConfidentialityAgreementEnded':
        return { ...s, agreements: s.agreements.map((a) => (a.reference === e.data.reference ? { ...a, endedOn: e.data.endedOn } : a)) };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const today = kzDateOf(c.now);
    switch (c.type) {
      case 'RegisterRecipient':
        if (s.registered) throw refused('RECIPIENT_EXISTS', '§3.1', 'that recipient is already registered');
        return [{ type: 'RecipientRegistered', data: c.data }];
      case 'RecordConfidentialityAgreement':
        if (!s.registered) throw refused('RECIPIENT_NOT_REGISTERED', '§4.4', 'register the recipient first');
        if (compareDates(c.data.signedOn, today) > 0) throw invalid('DATE_IN_FUTURE', 'signedOn cannot be in the future');
        if (c.data.expiresOn && compareDates(c.data.expiresOn, c.data.signedOn) < 0) {
          throw invalid('INVALID_PERIOD', 'expiresOn cannot be before signedOn');
        }
        if (s.agreements.some((a) => a.reference === c.data.reference)) {
          throw refused('AGREEMENT_EXISTS', '§4.4', 'an agreement with that reference is on record');
        }
        return [{ type: 'ConfidentialityAgreementRecorded', data: { ...c.data, clause: '§4.4' } }];
      case 'EndConfidentialityAgreement': {
        const a = s.agreements.find((x) => x.reference === c.data.reference && x.endedOn === null);
        if (!a) throw refused('AGREEMENT_NOT_IN_FORCE', '§4.4', 'no agreement in force has that reference');
        if (compareDates(c.data.endedOn, a.signedOn) < 0) throw invalid('INVALID_PERIOD', 'endedOn cannot be before signedOn');
        return [{ type: 'ConfidentialityAgreementEnded', data: { ...c.data, clause: '§4.4' } }];
      }
      default:
        return assertNever(c);
    }
  },
};

/** §4.4 — an agreement is in force on a day if signed by then, not expired and not ended. */
export const agreementInForce = (s: RecipientState, on: LocalDate): boolean =>
  s.agreements.some(
    (a) => compareDates(a.signedOn, on) <= 0
      && (a.expiresOn === null || compareDates(on, a.expiresOn) <= 0)
      && (a.endedOn === null || compareDates(on, a.endedOn) < 0),
  );

export function recipientSnapshot(s: RecipientState, on: LocalDate): RecipientSnapshot | null {
  if (!s.registered) return null;
  return {
    recipientId: s.registered.recipientId,
    kind: s.registered.kind,
    country: s.registered.country,
    confidentialityAgreementInForce: agreementInForce(s, on),
  };
}
