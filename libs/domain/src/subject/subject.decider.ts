import { compareDates, kzDateOf, type LocalDate } from '../calendar/local-date';
import type { WorkingDayCalendar } from '../calendar/working-days';
import { erasureDueDate, impliedAcceptanceFrom, retentionEndDate } from '../deadlines';
import { assertNever, type Decider } from '../decider';
import { invalid, notFound as notFoundError, refused, type DomainError } from '../errors';
import { HOME_COUNTRY, type Category, type LegalBasis, type Purpose } from '../policy/vocabulary';
import type {
  AcceptPolicy, AcknowledgeErasure, DemandDestruction, GrantConsent, MarkErasureOverdue, RecordKeyShredded, RecordPersonalData, RecordTransfer,
  RetractWithdrawal, ScheduleExpiryErasure, ScheduleRetentionErasure, StartErasure, SubjectCommand, WithdrawConsent,
} from './subject.commands';
import type { ErasureReason, SubjectEvent } from './subject.events';

export interface PurposeState {
  readonly basis: LegalBasis;
  readonly status: 'active' | 'withdrawn' | 'achieved';
  readonly categories: readonly Category[];
  readonly policyVersion: string;
  readonly thirdPartyTransfer: boolean;
  readonly crossBorderTransfer: boolean;
  readonly validUntil: LocalDate | null;
  /** when this basis was given (the latest grant for the purpose) */
  readonly grantedAt: string;
  /** the day it stopped: a withdrawal's receipt, or the purpose achieved; null while active */
  readonly endedOn: LocalDate | null;
}
export interface PendingWithdrawal {
  readonly withdrawalId: string;
  readonly purposes: readonly Purpose[];
  readonly receivedOn: LocalDate;
  readonly retractableUntil: LocalDate;
  readonly suspendedAgreement: boolean;
}
export interface OpenErasure {
  readonly erasureId: string;
  readonly reason: ErasureReason;
  readonly withdrawalId: string | null;
  readonly dueOn: LocalDate;
  /** scheduled → started (decided) → shredded (key destroyed) → completed (all confirmed) */
  readonly stage: 'scheduled' | 'started' | 'shredded';
  readonly awaiting: readonly string[];
  readonly acknowledged: readonly string[];
  readonly overdue: boolean;
  /** §2.5 — the subject demanded destruction: nothing cancels this erasure any more */
  readonly demanded: boolean;
}

/** Only what decisions need; the read models hold the rest. */
export interface SubjectState {
  readonly status: 'new' | 'known' | 'erased';
  readonly agreement: 'none' | 'active' | 'suspended' | 'terminated';
  readonly purposes: Readonly<Partial<Record<Purpose, PurposeState>>>;
  readonly restrictionId: string | null;
  readonly openObligations: readonly string[];
  readonly legalHolds: readonly string[];
  readonly pendingWithdrawals: readonly PendingWithdrawal[];
  readonly erasure: OpenErasure | null;
  /** the erasure last completed, so a late repeat of its acknowledgement is recognised */
  readonly completedErasureId: string | null;
  /** recipients of this subject's transfers: each must confirm its deletion (§3.3) */
  readonly transferRecipients: readonly string[];
  readonly recordedCategories: readonly Category[];
  readonly acceptedPolicyVersions: readonly string[];
  readonly retentionEndsOn: LocalDate | null;
}

export const initialSubjectState: SubjectState = {
  status: 'new',
  agreement: 'none',
  purposes: {},
  restrictionId: null,
  openObligations: [],
  legalHolds: [],
  pendingWithdrawals: [],
  erasure: null,
  completedErasureId: null,
  transferRecipients: [],
  recordedCategories: [],
  acceptedPolicyVersions: [],
  retentionEndsOn: null,
};

const without = <T>(list: readonly T[], item: T) => list.filter((x) => x !== item);

export function evolveSubject(state: SubjectState, event: SubjectEvent): SubjectState {
  const s: SubjectState = state.status === 'new' ? { ...state, status: 'known' } : state;
  switch (event.type) {
    case 'ConsentGranted': {
      const purposes = { ...s.purposes };
      for (const p of event.data.purposes) {
        purposes[p] = {
          basis: event.data.basis,
          status: 'active',
          categories: event.data.categories,
          policyVersion: event.data.policyVersion,
          thirdPartyTransfer: event.data.thirdPartyTransfer,
          crossBorderTransfer: event.data.crossBorderTransfer,
          validUntil: event.data.validUntil,
          grantedAt: event.data.grantedAt,
          endedOn: null,
        };
      }
      return { ...s, purposes, agreement: s.agreement === 'none' ? 'active' : s.agreement };
    }
    case 'ConsentWithdrawn': {
      const purposes = { ...s.purposes };
      for (const p of event.data.purposes) {
        const current = purposes[p];
        if (current) purposes[p] = { ...current, status: 'withdrawn', endedOn: event.data.receivedOn };
      }
      const pending: PendingWithdrawal = {
        withdrawalId: event.data.withdrawalId,
        purposes: event.data.purposes,
        receivedOn: event.data.receivedOn,
        retractableUntil: event.data.retractableUntil,
        suspendedAgreement: false,
      };
      return { ...s, purposes, pendingWithdrawals: [...s.pendingWithdrawals, pending] };
    }
    case 'WithdrawalRefused':
      return s;
    case 'PurposeAchieved': {
      const current = s.purposes[event.data.purpose];
      return current ? { ...s, purposes: { ...s.purposes, [event.data.purpose]: { ...current, status: 'achieved', endedOn: event.data.achievedOn } } } : s;
    }
    case 'WithdrawalRetracted': {
      const purposes = { ...s.purposes };
      for (const p of event.data.purposes) {
        const current = purposes[p];
        if (current) purposes[p] = { ...current, status: 'active', endedOn: null };
      }
      return {
        ...s,
        purposes,
        pendingWithdrawals: s.pendingWithdrawals.filter((w) => w.withdrawalId !== event.data.withdrawalId),
      };
    }
    case 'AgreementSuspended':
      return {
        ...s,
        agreement: 'suspended',
        pendingWithdrawals: s.pendingWithdrawals.map((w) =>
          w.withdrawalId === event.data.withdrawalId ? { ...w, suspendedAgreement: true } : w,
        ),
      };
    case 'AgreementResumed':
      // the suspension is over: no later retraction resumes it a second time
      return { ...s, agreement: 'active', pendingWithdrawals: s.pendingWithdrawals.map((w) => ({ ...w, suspendedAgreement: false })) };
    case 'AgreementTerminated':
      return { ...s, agreement: 'terminated', retentionEndsOn: event.data.retentionEndsOn };
    case 'ErasureScheduled':
      return {
        ...s,
        erasure: {
          erasureId: event.data.erasureId, reason: event.data.reason, withdrawalId: event.data.withdrawalId, dueOn: event.data.dueOn,
          stage: 'scheduled', awaiting: [], acknowledged: [], overdue: false, demanded: event.data.reason === 'destruction-demanded',
        },
      };
    case 'DestructionDemanded':
      return s.erasure?.erasureId === event.data.erasureId ? { ...s, erasure: { ...s.erasure, demanded: true } } : s;
    case 'ErasureCancelled':
      return { ...s, erasure: null };
    case 'ErasureStarted':
      return s.erasure ? { ...s, erasure: { ...s.erasure, stage: 'started', awaiting: event.data.awaiting } } : s;
    case 'DataKeyShredded':
      return {
        ...s,
        status: 'erased',
        pendingWithdrawals: [],
        recordedCategories: [],
        erasure: s.erasure ? { ...s.erasure, stage: 'shredded' } : s.erasure,
      };
    case 'ErasureAcknowledged':
      return s.erasure && !s.erasure.acknowledged.includes(event.data.system)
        ? { ...s, erasure: { ...s.erasure, acknowledged: [...s.erasure.acknowledged, event.data.system] } }
        : s;
    case 'ErasureOverdue':
      return s.erasure ? { ...s, erasure: { ...s.erasure, overdue: true } } : s;
    case 'ErasureCompleted':
      return { ...s, status: 'erased', erasure: null, completedErasureId: event.data.erasureId, pendingWithdrawals: [], recordedCategories: [] };
    case 'PersonalDataRecorded':
      return s.recordedCategories.includes(event.data.category)
        ? s
        : { ...s, recordedCategories: [...s.recordedCategories, event.data.category] };
    case 'ProcessingRestricted':
      return { ...s, restrictionId: event.data.restrictionId };
    case 'ProcessingRestrictionLifted':
      return { ...s, restrictionId: null };
    case 'TransferRecorded':
      return s.transferRecipients.includes(event.data.recipientId)
        ? s
        : { ...s, transferRecipients: [...s.transferRecipients, event.data.recipientId] };
    case 'ObligationOpened':
      return { ...s, openObligations: [...s.openObligations, event.data.obligationId] };
    case 'ObligationSettled':
      return { ...s, openObligations: without(s.openObligations, event.data.obligationId) };
    case 'LegalHoldPlaced':
      return { ...s, legalHolds: [...s.legalHolds, event.data.holdId] };
    case 'LegalHoldReleased':
      return { ...s, legalHolds: without(s.legalHolds, event.data.holdId) };
    case 'PolicyAccepted':
      return { ...s, acceptedPolicyVersions: [...s.acceptedPolicyVersions, event.data.policyVersion] };
    default:
      return assertNever(event);
  }
}

/** A purpose is a basis for processing today if it is active and its consent has not lapsed. */
export function isPurposeActive(state: SubjectState, purpose: Purpose, today: LocalDate): boolean {
  const p = state.purposes[purpose];
  return !!p && p.status === 'active' && (p.validUntil === null || compareDates(today, p.validUntil) <= 0);
}

/**
 * §3.2 — whether the basis for `purpose` stood at the instant `at` (a transfer is judged
 * when it happened, not when it is recorded): given at or before it, not yet withdrawn
 * or achieved on that Kazakhstan day, and not past its `validUntil`. Only the latest
 * grant for a purpose is kept, so an instant before it finds no basis.
 */
export function wasPurposeActiveAt(state: SubjectState, purpose: Purpose, at: Date): boolean {
  const p = state.purposes[purpose];
  if (!p || Date.parse(p.grantedAt) > at.getTime()) return false;
  const day = kzDateOf(at);
  if (p.endedOn !== null && compareDates(day, p.endedOn) >= 0) return false;
  return p.validUntil === null || compareDates(day, p.validUntil) <= 0;
}

export const activePurposes = (state: SubjectState, today: LocalDate): Purpose[] =>
  (Object.keys(state.purposes) as Purpose[]).filter((p) => isPurposeActive(state, p, today));

function notInFuture(date: LocalDate, today: LocalDate, what: string): void {
  if (compareDates(date, today) > 0) throw invalid('DATE_IN_FUTURE', `${what} cannot be later than today (Kazakhstan time)`);
}
function notErased(state: SubjectState): void {
  if (state.status === 'erased') {
    throw refused('SUBJECT_ERASED', '§2.10', 'the personal data of this subject has been destroyed');
  }
}
/**
 * §2.10 / §3.3 — once the decision to destroy is recorded (`ErasureStarted`), the list of
 * systems that must confirm their deletion is fixed: a transfer recorded now would name a
 * recipient never asked to delete, and data recorded now would be destroyed at once.
 */
function notBeingErased(state: SubjectState): void {
  if (state.erasure && state.erasure.stage !== 'scheduled') {
    throw refused('ERASURE_IN_PROGRESS', '§2.10', 'the decision to destroy this subject\'s data is recorded: nothing more is collected or transferred');
  }
}
/**
 * What keeps a subject's data from being destroyed now, if anything: blocking (Law 94-V:
 * a temporary stop of destruction too, §2.5) or a legal hold (§2.8). Checked when the
 * erasure is decided and again right before the key is destroyed, since either may be
 * placed in between.
 */
export function destructionHeldBy(state: SubjectState): DomainError | null {
  if (state.restrictionId) return refused('PROCESSING_RESTRICTED', '§2.5', 'processing is blocked, destruction included');
  if (state.legalHolds.length > 0) return refused('LEGAL_HOLD', '§2.8', 'a legal hold keeps the data');
  return null;
}
/**
 * §2.10 — an erasure that a basis given again (a retraction, a new consent) may still undo:
 * not yet decided, and not one the subject demanded (§2.5), which nothing undoes.
 */
const undoable = (e: OpenErasure | null): e is OpenErasure => e !== null && e.stage === 'scheduled' && !e.demanded;
function known(state: SubjectState): void {
  if (state.status === 'new') throw refused('UNKNOWN_SUBJECT', '§2.1', 'no consent or data has been recorded for this subject');
}

/**
 * The decider of a subject's stream. Built with the working-day calendar, because
 * §2.10 counts Kazakhstan working days.
 */
export function createSubjectDecider(calendar: WorkingDayCalendar): Decider<SubjectCommand, SubjectEvent, SubjectState> {
  function grant(c: GrantConsent, s: SubjectState): SubjectEvent[] {
    notErased(s);
    const today = kzDateOf(c.now);
    if (s.agreement === 'terminated') {
      throw refused('AGREEMENT_TERMINATED', '§2.6', 'the user agreement has ended; data is only retained, not collected');
    }
    // §2.10 — an erasure after a withdrawal is undone by retracting it, not by consenting
    // again; one scheduled because no basis was left (every basis lapsed, the last purpose
    // achieved) is undone by a new basis before it is carried out; one the subject demanded
    // (§2.5) by nothing
    const renews = undoable(s.erasure) && (s.erasure.reason === 'basis-expired' || s.erasure.reason === 'purpose-achieved') ? s.erasure : null;
    if (s.erasure && !renews) {
      throw refused('ERASURE_PENDING', s.erasure.demanded ? '§2.5' : '§2.10', s.erasure.demanded
        ? 'the subject demanded the destruction of their data; it goes ahead'
        : s.erasure.withdrawalId
          ? 'an erasure is scheduled: the subject retracts the withdrawal, not re-consents'
          : 'an erasure of this subject\'s data is scheduled or under way');
    }
    if (!c.data.policy) throw refused('POLICY_VERSION_UNKNOWN', '§2.1', 'consent must name a published policy version');
    if (Date.parse(c.data.policy.publishedAt) > c.now.getTime()) {
      throw refused('POLICY_VERSION_UNKNOWN', '§2.1', 'that policy version is not published yet');
    }
    if (c.data.validUntil !== null && compareDates(c.data.validUntil, today) < 0) {
      throw invalid('DATE_IN_PAST', 'validUntil must not be earlier than today');
    }
    const events: SubjectEvent[] = [{
      type: 'ConsentGranted',
      data: {
        consentId: c.data.consentId,
        purposes: c.data.purposes,
        categories: c.data.categories,
        basis: c.data.basis,
        policyVersion: c.data.policyVersion,
        channel: c.data.channel,
        thirdPartyTransfer: c.data.thirdPartyTransfer,
        crossBorderTransfer: c.data.crossBorderTransfer,
        publication: c.data.publication,
        validUntil: c.data.validUntil,
        grantedAt: c.now.toISOString(),
      },
    }];
    // §2.7 — a withdrawal of the service's basis suspended the agreement; consenting to the
    // service again lets it be performed again.
    const suspendedBy = s.agreement === 'suspended' ? s.pendingWithdrawals.findLast((w) => w.suspendedAgreement) : undefined;
    if (suspendedBy && c.data.purposes.includes('service-provision')) {
      events.push({
        type: 'AgreementResumed',
        data: { reason: 'consent-granted', withdrawalId: suspendedBy.withdrawalId, consentId: c.data.consentId, clause: '§2.7' },
      });
    }
    if (renews) events.push({ type: 'ErasureCancelled', data: { erasureId: renews.erasureId, reason: 'basis-renewed', clause: '§2.10' } });
    return events;
  }

  function withdraw(c: WithdrawConsent, s: SubjectState): SubjectEvent[] {
    known(s);
    notErased(s);
    const today = kzDateOf(c.now);
    notInFuture(c.data.receivedOn, today, 'receivedOn');
    const consentBased = activePurposes(s, today).filter((p) => s.purposes[p]?.basis === 'consent');
    // §2.7 — an application received before a consent was given does not withdraw it: the
    // later consent is the subject's latest word (a paper application recorded late must
    // not erase a subject who signed up again since).
    const givenAfterReceipt = (p: Purpose) => compareDates(kzDateOf(new Date(s.purposes[p]!.grantedAt)), c.data.receivedOn) > 0;
    let targets: Purpose[];
    if (c.data.purposes === 'all') {
      targets = consentBased.filter((p) => !givenAfterReceipt(p));
      if (targets.length === 0 && consentBased.length > 0) {
        throw refused('WITHDRAWAL_PREDATES_CONSENT', '§2.7', 'every active consent was given after the application was received');
      }
    } else {
      for (const p of c.data.purposes) {
        const ps = s.purposes[p];
        if (ps && ps.basis !== 'consent' && isPurposeActive(s, p, today)) {
          throw refused('BASIS_NOT_CONSENT', '§2.9', `purpose ${p} rests on ${ps.basis}, which a withdrawal does not end`);
        }
        if (!consentBased.includes(p)) throw refused('NO_ACTIVE_CONSENT', '§2.7', `there is no active consent for purpose ${p}`);
        if (givenAfterReceipt(p)) {
          throw refused('WITHDRAWAL_PREDATES_CONSENT', '§2.7', `the consent for purpose ${p} was given after the application was received`);
        }
      }
      targets = [...new Set(c.data.purposes)];
    }
    if (targets.length === 0) throw refused('NO_ACTIVE_CONSENT', '§2.7', 'there is no active consent to withdraw');

    // §2.8 — refused while the law or an unfulfilled obligation stands in the way; the
    // refusal itself is recorded, with its reason.
    const blocker = s.legalHolds.length > 0 ? 'legal-hold' : s.openObligations.length > 0 ? 'open-obligation' : null;
    if (blocker) {
      return [{
        type: 'WithdrawalRefused',
        data: { withdrawalId: c.data.withdrawalId, purposes: c.data.purposes, receivedOn: c.data.receivedOn, reason: blocker, clause: '§2.8' },
      }];
    }

    const dueOn = erasureDueDate(c.data.receivedOn, calendar);
    const events: SubjectEvent[] = [{
      type: 'ConsentWithdrawn',
      data: { withdrawalId: c.data.withdrawalId, purposes: targets, receivedOn: c.data.receivedOn, retractableUntil: dueOn },
    }];
    // §2.7 — without its service-provision basis the user agreement cannot be performed.
    if (s.agreement === 'active' && targets.includes('service-provision')) {
      events.push({ type: 'AgreementSuspended', data: { reason: 'consent-withdrawn', withdrawalId: c.data.withdrawalId, clause: '§2.7' } });
    }
    // §2.10 — destroy within 30 working days, unless another basis still holds the data.
    const remaining = activePurposes(s, today).filter((p) => !targets.includes(p));
    if (remaining.length === 0 && !s.erasure) {
      events.push({
        type: 'ErasureScheduled',
        data: {
          erasureId: c.data.erasureId,
          reason: 'consent-withdrawn',
          withdrawalId: c.data.withdrawalId,
          receivedOn: c.data.receivedOn,
          dueOn,
          clause: '§2.10',
        },
      });
    }
    return events;
  }

  function retract(c: RetractWithdrawal, s: SubjectState): SubjectEvent[] {
    known(s);
    notErased(s);
    notInFuture(c.data.retractedOn, kzDateOf(c.now), 'retractedOn');
    if (s.pendingWithdrawals.length === 0) throw refused('NO_PENDING_WITHDRAWAL', '§2.10', 'there is no withdrawal to retract');
    if (s.erasure && s.erasure.stage !== 'scheduled') {
      throw refused('RETRACTION_TOO_LATE', '§2.10', 'the erasure has already been carried out');
    }
    // §2.10 — "before that period ends": up to and including the due date.
    const open = s.pendingWithdrawals.filter((w) => compareDates(c.data.retractedOn, w.retractableUntil) <= 0);
    if (open.length === 0) {
      throw refused('RETRACTION_TOO_LATE', '§2.10', 'the 30 working days after the withdrawal have passed');
    }
    const events: SubjectEvent[] = [];
    let resumed = s.agreement !== 'suspended';
    for (const w of open) {
      events.push({ type: 'WithdrawalRetracted', data: { withdrawalId: w.withdrawalId, purposes: w.purposes, retractedOn: c.data.retractedOn, via: c.data.via } });
      if (w.suspendedAgreement && !resumed) {
        events.push({ type: 'AgreementResumed', data: { reason: 'withdrawal-retracted', withdrawalId: w.withdrawalId } });
        resumed = true;
      }
      if (undoable(s.erasure) && s.erasure.withdrawalId === w.withdrawalId) {
        events.push({ type: 'ErasureCancelled', data: { erasureId: s.erasure.erasureId, reason: 'withdrawal-retracted', clause: '§2.10' } });
      }
    }
    // §2.10 — an erasure is scheduled because nothing holds the data any more; a retraction
    // that restores a basis takes that ground away, whatever scheduled it (a later withdrawal
    // no longer retractable, the other purpose achieved, every other basis lapsed). The end
    // of retention (§2.6) does not rest on a basis, and stays; so does a destruction the
    // subject demanded (§2.5).
    const e = s.erasure;
    if (undoable(e) && e.reason !== 'retention-ended' && !events.some((x) => x.type === 'ErasureCancelled')) {
      const after = events.reduce(evolveSubject, s);
      if (activePurposes(after, kzDateOf(c.now)).length > 0) {
        events.push({ type: 'ErasureCancelled', data: { erasureId: e.erasureId, reason: 'withdrawal-retracted', clause: '§2.10' } });
      }
    }
    return events;
  }

  /**
   * §2.5 — the subject demands destruction of data processed in violation of the law;
   * destroyed within 30 working days of receipt like any erasure (§2.10: "other cases set
   * by law"). An erasure already open carries the demand out, unless it is still only
   * scheduled, due later than the demand allows and not yet due: then it is superseded by
   * one due in time. Either way, nothing but such a supersession cancels it any more.
   */
  function demandDestruction(c: DemandDestruction, s: SubjectState): SubjectEvent[] {
    known(s);
    notErased(s);
    const today = kzDateOf(c.now);
    notInFuture(c.data.receivedOn, today, 'receivedOn');
    const dueOn = erasureDueDate(c.data.receivedOn, calendar);
    const open = s.erasure;
    // past its due date the open erasure may be carried out now: replacing it gains nothing
    const carrier = open && (open.stage !== 'scheduled' || compareDates(open.dueOn, dueOn) <= 0 || compareDates(today, open.dueOn) > 0) ? open : null;
    const demanded: SubjectEvent = {
      type: 'DestructionDemanded',
      data: { demandId: c.data.demandId, receivedOn: c.data.receivedOn, erasureId: carrier?.erasureId ?? c.data.erasureId, clause: '§2.5' },
    };
    if (carrier) return [demanded];
    return [
      demanded,
      ...(open ? [{ type: 'ErasureCancelled', data: { erasureId: open.erasureId, reason: 'superseded', clause: '§2.10' } } as const] : []),
      {
        type: 'ErasureScheduled',
        data: { erasureId: c.data.erasureId, reason: 'destruction-demanded', withdrawalId: null, receivedOn: c.data.receivedOn, dueOn, clause: '§2.10' },
      },
    ];
  }

  function recordData(c: RecordPersonalData, s: SubjectState): SubjectEvent[] {
    notErased(s);
    notBeingErased(s);
    const today = kzDateOf(c.now);
    // §2.5 / Law 94-V — blocking stops collection; the subject may still correct their own data.
    if (s.restrictionId && c.data.source !== 'subject') {
      throw refused('PROCESSING_RESTRICTED', '§2.5', 'processing is blocked; only the subject may rectify their data');
    }
    // §2.6 — once the agreement has ended the data is only retained: nothing new is collected
    // (as no consent is taken), but the subject may still rectify what is kept (§2.5)
    if (s.agreement === 'terminated' && c.data.source !== 'subject') {
      throw refused('AGREEMENT_TERMINATED', '§2.6', 'the user agreement has ended; data is only retained, and only the subject may rectify it');
    }
    const covered = activePurposes(s, today).some((p) => s.purposes[p]?.categories.includes(c.data.category));
    if (!covered) {
      throw refused('CATEGORY_NOT_COVERED', '§2.3', `no active purpose covers the category ${c.data.category}`);
    }
    const action = s.recordedCategories.includes(c.data.category) ? 'updated' : 'recorded';
    return [{ type: 'PersonalDataRecorded', data: { category: c.data.category, source: c.data.source, value: c.data.value, action } }];
  }

  function transfer(c: RecordTransfer, s: SubjectState): SubjectEvent[] {
    known(s);
    notErased(s);
    notBeingErased(s);
    const today = kzDateOf(c.now);
    if (c.data.transferredAt.getTime() > c.now.getTime()) throw invalid('DATE_IN_FUTURE', 'transferredAt cannot be in the future');
    if (s.restrictionId) throw refused('PROCESSING_RESTRICTED', '§2.5', 'processing is blocked; nothing may be transferred');
    const r = c.data.recipient;
    if (!r) throw refused('RECIPIENT_NOT_REGISTERED', '§3.1', 'the recipient is not in the register');
    if (!r.confidentialityAgreementInForce) {
      throw refused('NO_CONFIDENTIALITY_AGREEMENT', '§4.4', 'the recipient has no confidentiality agreement on record');
    }
    // §3.2 — judged at the moment the data left, which may be before it is recorded
    const p = s.purposes[c.data.purpose];
    if (!p || !wasPurposeActiveAt(s, c.data.purpose, c.data.transferredAt)) {
      if (p && isPurposeActive(s, c.data.purpose, today) && Date.parse(p.grantedAt) > c.data.transferredAt.getTime()) {
        throw refused('NO_BASIS_AT_TRANSFER_TIME', '§3.2', `the basis for purpose ${c.data.purpose} was given after the transfer`);
      }
      throw refused('NO_BASIS_FOR_PURPOSE', '§3.2', `there was no active basis for purpose ${c.data.purpose} when the data was transferred`);
    }
    const uncovered = c.data.categories.filter((cat) => !p.categories.includes(cat));
    if (uncovered.length > 0) {
      throw refused('CATEGORY_NOT_COVERED', '§3.3', `the basis for ${c.data.purpose} does not cover: ${uncovered.join(', ')}`);
    }
    const crossBorder = r.country !== HOME_COUNTRY;
    if (p.basis === 'consent' && !p.thirdPartyTransfer) {
      throw refused('CONSENT_EXCLUDES_TRANSFER', '§3.1', 'the consent does not allow transfer to third parties (Law 94-V Art. 8)');
    }
    if (crossBorder && p.basis === 'consent' && !p.crossBorderTransfer) {
      throw refused('CROSS_BORDER_NOT_CONSENTED', '§3.2', 'the consent does not allow cross-border transfer (Law 94-V Art. 16)');
    }
    return [{
      type: 'TransferRecorded',
      data: {
        transferId: c.data.transferId,
        recipientId: r.recipientId,
        recipientCountry: r.country,
        crossBorder,
        purpose: c.data.purpose,
        categories: c.data.categories,
        form: c.data.form,
        transferredAt: c.data.transferredAt.toISOString(),
      },
    }];
  }

  function accept(c: AcceptPolicy, s: SubjectState): SubjectEvent[] {
    known(s);
    notErased(s);
    const policy = c.data.policy;
    if (!policy) throw refused('POLICY_VERSION_UNKNOWN', '§1.4', 'that policy version has not been published');
    if (s.acceptedPolicyVersions.includes(policy.version)) {
      throw refused('POLICY_ALREADY_ACCEPTED', '§1.4', 'this policy version is already accepted');
    }
    if (c.data.at.getTime() > c.now.getTime()) throw invalid('DATE_IN_FUTURE', 'the acceptance time cannot be in the future');
    const publishedAt = new Date(policy.publishedAt);
    if (c.data.at < publishedAt) throw invalid('BEFORE_PUBLICATION', 'a version cannot be accepted before it was published');
    if (c.data.mode === 'implied') {
      if (s.agreement !== 'active') throw refused('NO_AGREEMENT', '§1.4', 'implied acceptance needs a user who keeps using the Platform');
      if (c.data.at < impliedAcceptanceFrom(publishedAt)) {
        throw refused('IMPLIED_ACCEPTANCE_TOO_EARLY', '§1.4', 'continued use counts only once 7 calendar days have passed since publication');
      }
    }
    return [{ type: 'PolicyAccepted', data: { policyVersion: policy.version, mode: c.data.mode, acceptedAt: c.data.at.toISOString(), clause: '§1.4' } }];
  }

  /** The erasure a scheduler or acknowledgement command names, if it is the open one. */
  function openErasure(s: SubjectState, erasureId: string): OpenErasure | null {
    return s.erasure?.erasureId === erasureId ? s.erasure : null;
  }

  const completeIfConfirmed = (e: OpenErasure, acknowledged: readonly string[], now: Date): SubjectEvent[] =>
    e.awaiting.every((system) => acknowledged.includes(system))
      ? [{ type: 'ErasureCompleted', data: { erasureId: e.erasureId, completedAt: now.toISOString(), clause: '§2.10' } }]
      : [];

  function startErasure(c: StartErasure, s: SubjectState): SubjectEvent[] {
    const e = openErasure(s, c.data.erasureId);
    if (!e) throw notFoundError('UNKNOWN_ERASURE', 'no open erasure has that id');
    if (e.stage !== 'scheduled') return []; // already decided: nothing to do again
    if (compareDates(kzDateOf(c.now), e.dueOn) <= 0) {
      throw refused('ERASURE_NOT_DUE', '§2.10', 'the subject may retract until the end of the due date');
    }
    const held = destructionHeldBy(s);
    if (held) throw held;
    const awaiting = [...new Set([...c.data.internalSystems, ...s.transferRecipients])].sort();
    return [{ type: 'ErasureStarted', data: { erasureId: e.erasureId, startedAt: c.now.toISOString(), awaiting, clause: '§2.10' } }];
  }

  function recordShredded(c: RecordKeyShredded, s: SubjectState): SubjectEvent[] {
    const e = openErasure(s, c.data.erasureId);
    if (!e) {
      if (s.completedErasureId === c.data.erasureId) return [];
      throw notFoundError('UNKNOWN_ERASURE', 'no open erasure has that id');
    }
    if (e.stage === 'shredded') return [];
    if (e.stage !== 'started') throw refused('ERASURE_NOT_STARTED', '§2.10', 'the key is destroyed only after the decision is recorded');
    return [
      { type: 'DataKeyShredded', data: { erasureId: e.erasureId, shreddedAt: c.now.toISOString(), clause: '§2.10' } },
      ...completeIfConfirmed(e, e.acknowledged, c.now),
    ];
  }

  function acknowledge(c: AcknowledgeErasure, s: SubjectState): SubjectEvent[] {
    const e = openErasure(s, c.data.erasureId);
    if (!e) {
      if (s.completedErasureId === c.data.erasureId) return []; // a late repeat
      throw notFoundError('UNKNOWN_ERASURE', 'no open erasure has that id');
    }
    if (e.acknowledged.includes(c.data.system)) return []; // deduplicated
    if (e.stage !== 'scheduled' && !e.awaiting.includes(c.data.system)) {
      throw refused('UNEXPECTED_SYSTEM', '§2.10', 'that system is not among those holding the subject\'s data');
    }
    const acknowledged = [...e.acknowledged, c.data.system];
    return [
      { type: 'ErasureAcknowledged', data: { erasureId: e.erasureId, system: c.data.system, acknowledgedAt: c.now.toISOString() } },
      ...(e.stage === 'shredded' ? completeIfConfirmed(e, acknowledged, c.now) : []),
    ];
  }

  function markOverdue(c: MarkErasureOverdue, s: SubjectState): SubjectEvent[] {
    const e = openErasure(s, c.data.erasureId);
    if (!e || e.overdue) return [];
    const today = kzDateOf(c.now);
    // Destruction and every confirmation are expected by the end of the first working
    // day after the due date; past that the erasure is late and is raised.
    if (compareDates(today, calendar.addWorkingDays(e.dueOn, 1)) <= 0) return [];
    const missing = e.stage === 'scheduled' || e.stage === 'started'
      ? ['ledger', ...e.awaiting.filter((x) => !e.acknowledged.includes(x))]
      : e.awaiting.filter((x) => !e.acknowledged.includes(x));
    return [{ type: 'ErasureOverdue', data: { erasureId: e.erasureId, dueOn: e.dueOn, detectedOn: today, missing, clause: '§2.10' } }];
  }

  function scheduleRetentionErasure(c: ScheduleRetentionErasure, s: SubjectState): SubjectEvent[] {
    if (s.status === 'erased' || s.erasure) return [];
    if (s.agreement !== 'terminated' || !s.retentionEndsOn) {
      throw refused('RETENTION_RUNNING', '§2.6', 'the agreement has not ended');
    }
    if (compareDates(kzDateOf(c.now), s.retentionEndsOn) <= 0) throw refused('RETENTION_RUNNING', '§2.6', 'the retention period has not ended');
    return [{
      type: 'ErasureScheduled',
      data: {
        erasureId: c.data.erasureId, reason: 'retention-ended', withdrawalId: null, receivedOn: s.retentionEndsOn,
        dueOn: erasureDueDate(s.retentionEndsOn, calendar), clause: '§2.10',
      },
    }];
  }

  /**
   * §2.10, Law 94-V Art. 8 — a consent (or another basis) given until a date is no basis
   * after it. When the last one lapses, nothing holds the data: destruction is due 30
   * working days after the last day of validity, as after the end of retention.
   */
  function scheduleExpiryErasure(c: ScheduleExpiryErasure, s: SubjectState): SubjectEvent[] {
    if (s.status !== 'known' || s.erasure) return [];
    const today = kzDateOf(c.now);
    if (activePurposes(s, today).length > 0) throw refused('BASIS_REMAINS', '§2.10', 'an active basis still holds the data');
    const lastValid = Object.values(s.purposes)
      .filter((p) => p!.status === 'active' && p!.validUntil !== null)
      .map((p) => p!.validUntil!)
      .sort(compareDates)
      .at(-1);
    if (!lastValid) throw refused('NO_LAPSED_BASIS', '§2.10', 'no basis of this subject has lapsed');
    return [{
      type: 'ErasureScheduled',
      data: {
        erasureId: c.data.erasureId, reason: 'basis-expired', withdrawalId: null, receivedOn: lastValid,
        dueOn: erasureDueDate(lastValid, calendar), clause: '§2.10',
      },
    }];
  }

  function decide(c: SubjectCommand, s: SubjectState): readonly SubjectEvent[] {
    const today = kzDateOf(c.now);
    switch (c.type) {
      case 'StartErasure':
        return startErasure(c, s);
      case 'RecordKeyShredded':
        return recordShredded(c, s);
      case 'AcknowledgeErasure':
        return acknowledge(c, s);
      case 'MarkErasureOverdue':
        return markOverdue(c, s);
      case 'ScheduleRetentionErasure':
        return scheduleRetentionErasure(c, s);
      case 'ScheduleExpiryErasure':
        return scheduleExpiryErasure(c, s);
      case 'RecordPurposeAchieved': {
        known(s);
        notErased(s);
        notInFuture(c.data.achievedOn, today, 'achievedOn');
        if (!isPurposeActive(s, c.data.purpose, today)) {
          throw refused('NO_ACTIVE_BASIS', '§2.10', `purpose ${c.data.purpose} is not an active basis`);
        }
        const events: SubjectEvent[] = [{ type: 'PurposeAchieved', data: { purpose: c.data.purpose, achievedOn: c.data.achievedOn, clause: '§2.10' } }];
        const remaining = activePurposes(s, today).filter((p) => p !== c.data.purpose);
        if (remaining.length === 0 && !s.erasure) {
          events.push({
            type: 'ErasureScheduled',
            data: {
              erasureId: c.data.erasureId, reason: 'purpose-achieved', withdrawalId: null, receivedOn: c.data.achievedOn,
              dueOn: erasureDueDate(c.data.achievedOn, calendar), clause: '§2.10',
            },
          });
        }
        return events;
      }
      case 'ReportPlatformUse': {
        if (c.data.at.getTime() > c.now.getTime()) throw invalid('DATE_IN_FUTURE', 'use cannot be reported in the future');
        if (s.status !== 'known' || s.agreement !== 'active') return [];
        // §2.1: consenting under a version accepts it; only versions newer than the newest
        // consented-to or accepted one are pending
        const known = new Set([...s.acceptedPolicyVersions, ...Object.values(s.purposes).map((p) => p!.policyVersion)]);
        const inForce = c.data.published.filter((p) => known.has(p.version)).map((p) => p.publishedAt).sort().at(-1);
        return c.data.published
          .filter((p) => !known.has(p.version) && (inForce === undefined || p.publishedAt > inForce))
          .filter((p) => c.data.at >= impliedAcceptanceFrom(new Date(p.publishedAt)))
          .map((p): SubjectEvent => ({
            type: 'PolicyAccepted',
            data: { policyVersion: p.version, mode: 'implied', acceptedAt: c.data.at.toISOString(), clause: '§1.4' },
          }));
      }
      case 'GrantConsent':
        return grant(c, s);
      case 'WithdrawConsent':
        return withdraw(c, s);
      case 'RetractWithdrawal':
        return retract(c, s);
      case 'DemandDestruction':
        return demandDestruction(c, s);
      case 'RecordPersonalData':
        return recordData(c, s);
      case 'RecordTransfer':
        return transfer(c, s);
      case 'AcceptPolicy':
        return accept(c, s);
      case 'RestrictProcessing':
        known(s);
        notErased(s);
        notInFuture(c.data.requestedOn, today, 'requestedOn');
        if (s.restrictionId) throw refused('ALREADY_RESTRICTED', '§2.5', 'processing is already blocked');
        return [{ type: 'ProcessingRestricted', data: { ...c.data, clause: '§2.5' } }];
      case 'LiftRestriction':
        if (!s.restrictionId) throw refused('NOT_RESTRICTED', '§2.5', 'processing is not blocked');
        return [{ type: 'ProcessingRestrictionLifted', data: { restrictionId: s.restrictionId, clause: '§2.5' } }];
      case 'OpenObligation':
        known(s);
        notErased(s);
        if (s.openObligations.includes(c.data.obligationId)) throw refused('OBLIGATION_EXISTS', '§2.8', 'that obligation is already open');
        return [{ type: 'ObligationOpened', data: c.data }];
      case 'SettleObligation':
        if (!s.openObligations.includes(c.data.obligationId)) throw refused('OBLIGATION_NOT_OPEN', '§2.8', 'no open obligation has that id');
        return [{ type: 'ObligationSettled', data: c.data }];
      case 'PlaceLegalHold':
        known(s);
        notErased(s);
        if (s.legalHolds.includes(c.data.holdId)) throw refused('LEGAL_HOLD_EXISTS', '§2.8', 'that legal hold is already in place');
        return [{ type: 'LegalHoldPlaced', data: c.data }];
      case 'ReleaseLegalHold':
        if (!s.legalHolds.includes(c.data.holdId)) throw refused('LEGAL_HOLD_NOT_PLACED', '§2.8', 'no legal hold has that id');
        return [{ type: 'LegalHoldReleased', data: c.data }];
      case 'TerminateAgreement':
        notErased(s);
        notInFuture(c.data.endedOn, today, 'endedOn');
        if (s.agreement === 'none') throw refused('NO_AGREEMENT', '§2.6', 'there is no user agreement to terminate');
        if (s.agreement === 'terminated') throw refused('AGREEMENT_TERMINATED', '§2.6', 'the user agreement has already ended');
        return [{
          type: 'AgreementTerminated',
          data: { endedOn: c.data.endedOn, retentionEndsOn: retentionEndDate(c.data.endedOn), reason: c.data.reason, clause: '§2.6' },
        }];
      default:
        return assertNever(c);
    }
  }

  return { initialState: initialSubjectState, evolve: evolveSubject, decide };
}
