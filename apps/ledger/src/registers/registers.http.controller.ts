import { Controller, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { compareDates, kzDateOf } from '@ledger/domain';
import { consentStatusOn, type ConsentRow, type ErasureRow, type PolicyAcceptanceRow, type SubjectRow, type TransferRow } from '@ledger/read-models';
import { minPositionOf } from '../http/read-options';
import { ReadModelRoute } from '../http/routes';
import { IsVersionPipe } from '../http/validation';
import { instantOf } from '../http/validators';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { ReadYourWrites } from '../read-side/read-side.module';
import { registerAnswer } from './register-output';
import { ConsentParams, ErasureParams, PageParams, RetentionParams, SubjectParams, TransferParams } from './register-params';
import { CONSENTS_REGISTER, ERASURES_REGISTER, POLICY_ACCEPTANCES, RETENTION_REGISTER, SUBJECTS_REGISTER, TRANSFERS_REGISTER } from '../http/openapi-views';

const list = (json: string) => JSON.parse(json) as string[];

/** CSV columns: the JSON fields, in order (a CSV header is a contract too). */
const CONSENT_COLUMNS = ['subjectId', 'purpose', 'basis', 'status', 'categories', 'policyVersion', 'channel', 'thirdPartyTransfer', 'crossBorderTransfer', 'publication', 'validUntil', 'grantedAt', 'withdrawnOn'];
const ERASURE_COLUMNS = ['erasureId', 'subjectId', 'reason', 'receivedOn', 'dueOn', 'status', 'overdue', 'startedAt', 'shreddedAt', 'cancelledAt', 'completedAt', 'acknowledgedBy', 'awaitingAcknowledgement'];
const TRANSFER_COLUMNS = ['transferId', 'subjectId', 'recipientId', 'recipientCountry', 'crossBorder', 'purpose', 'categories', 'form', 'transferredAt', 'position'];
const RETENTION_COLUMNS = ['subjectId', 'agreementEndedOn', 'retentionEndsOn', 'status'];
const ACCEPTANCE_COLUMNS = ['subjectId', 'policyVersion', 'mode', 'acceptedAt'];
const SUBJECT_COLUMNS = [
  'subjectId', 'status', 'erasedAt', 'agreementState', 'agreementEndedOn', 'retentionEndsOn', 'restricted', 'policyVersion',
  'policyAcceptedAs', 'policyAcceptedAt', 'openErasureId', 'openObligations', 'activeLegalHolds',
];

const consentView = (today: string) => (r: ConsentRow) => ({
  subjectId: r.subject_id, purpose: r.purpose, basis: r.basis, status: consentStatusOn(r, today), categories: list(r.categories),
  policyVersion: r.policy_version, channel: r.channel, thirdPartyTransfer: r.third_party_transfer === 1,
  crossBorderTransfer: r.cross_border_transfer === 1, publication: r.publication === 1, validUntil: r.valid_until,
  grantedAt: r.granted_at, withdrawnOn: r.withdrawn_on,
});
const transferView = (r: TransferRow) => ({
  transferId: r.transfer_id, subjectId: r.subject_id, recipientId: r.recipient_id, recipientCountry: r.recipient_country,
  crossBorder: r.cross_border === 1, purpose: r.purpose, categories: list(r.categories), form: r.form,
  transferredAt: r.transferred_at, position: String(r.position),
});
const subjectView = (r: SubjectRow) => ({
  subjectId: r.subject_id, status: r.status, erasedAt: r.erased_at, agreementState: r.agreement_state,
  agreementEndedOn: r.agreement_ended_on, retentionEndsOn: r.retention_ends_on, restricted: r.restricted === 1,
  policyVersion: r.policy_version, policyAcceptedAs: r.policy_accepted_mode, policyAcceptedAt: r.policy_accepted_at,
  openErasureId: r.open_erasure_id, openObligations: r.open_obligations, activeLegalHolds: r.active_legal_holds,
});
const acceptanceView = (r: PolicyAcceptanceRow) => ({ subjectId: r.subject_id, policyVersion: r.policy_version, mode: r.mode, acceptedAt: r.accepted_at });
const retentionView = (r: SubjectRow) => ({
  subjectId: r.subject_id, agreementEndedOn: r.agreement_ended_on, retentionEndsOn: r.retention_ends_on, status: r.status,
});

/**
 * The registers a data-protection officer and an auditor keep (§2.6, §2.10, §3), from the
 * read models; JSON pages or CSV. They carry pseudonymous ids, never personal data.
 */
@ApiTags('registers')
@Controller('v1')
export class RegistersController {
  constructor(
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * `overdue`: raised by the scheduler, or still only scheduled after its due date (a
   * scheduler that is not running). `awaitingAcknowledgement`: who has not confirmed yet.
   */
  private erasureView = (today: string) => (r: ErasureRow) => {
    const acknowledged = list(r.acknowledged);
    const late = r.overdue === 1 || (r.status === 'scheduled' && compareDates(today, r.due_on) > 0);
    return {
      erasureId: r.erasure_id, subjectId: r.subject_id, reason: r.reason, receivedOn: r.received_on, dueOn: r.due_on,
      status: r.status, overdue: late && r.status !== 'completed' && r.status !== 'cancelled',
      startedAt: r.started_at, shreddedAt: r.shredded_at, cancelledAt: r.cancelled_at, completedAt: r.completed_at,
      acknowledgedBy: acknowledged, awaitingAcknowledgement: list(r.awaiting_acknowledgement).filter((x) => !acknowledged.includes(x)),
    };
  };

  @ReadModelRoute('consents', 'Consents per subject and purpose, with policy version and basis (§2.1, §2.3)', CONSENTS_REGISTER, 'auditor', 'regulator', 'admin')
  async consents(@Query() p: ConsentParams) {
    await this.readYourWrites.waitFor(minPositionOf(p));
    const today = kzDateOf(this.clock.now());
    return registerAnswer(p, { name: 'consents', columns: CONSENT_COLUMNS }, this.readYourWrites, (q, cursor, limit) => q.consents({ ...p, today, cursor, limit }), consentView(today));
  }

  @ReadModelRoute('erasures', 'The erasure queue: received, due, status, who still owes an acknowledgement (§2.10)', ERASURES_REGISTER, 'auditor', 'regulator', 'admin')
  async erasures(@Query() p: ErasureParams) {
    await this.readYourWrites.waitFor(minPositionOf(p));
    const today = kzDateOf(this.clock.now());
    return registerAnswer(p, { name: 'erasures', columns: ERASURE_COLUMNS }, this.readYourWrites, (q, cursor, limit) => q.erasures({ ...p, cursor, limit }, today), this.erasureView(today));
  }

  @ReadModelRoute('transfers', 'The transfers register, filterable by subject, recipient, country, cross-border, purpose, category, form, time (§3)', TRANSFERS_REGISTER, 'auditor', 'regulator', 'admin')
  async transfers(@Query() p: TransferParams) {
    await this.readYourWrites.waitFor(minPositionOf(p));
    return registerAnswer(p, { name: 'transfers', columns: TRANSFER_COLUMNS }, this.readYourWrites, (q, cursor, limit) => q.transfers({ ...p, country: p.country?.toUpperCase(), from: p.from && instantOf(p.from), to: p.to && instantOf(p.to), cursor, limit }), transferView);
  }

  @ReadModelRoute('subjects', 'The subjects register: agreement state (§2.7), blocking (§2.5), erased or not (§2.10), policy version in force and how it was accepted (§1.4)', SUBJECTS_REGISTER, 'auditor', 'regulator', 'admin')
  async subjects(@Query() p: SubjectParams) {
    await this.readYourWrites.waitFor(minPositionOf(p));
    return registerAnswer(p, { name: 'subjects', columns: SUBJECT_COLUMNS }, this.readYourWrites, (q, cursor, limit) => q.subjects({ ...p, cursor, limit }), subjectView);
  }

  @ReadModelRoute('retention', 'The retention schedule: agreement end and retention end per subject (§2.6)', RETENTION_REGISTER, 'auditor', 'regulator', 'admin')
  async retention(@Query() p: RetentionParams) {
    await this.readYourWrites.waitFor(minPositionOf(p));
    return registerAnswer(p, { name: 'retention', columns: RETENTION_COLUMNS }, this.readYourWrites, (q, cursor, limit) => q.retention({ ...p, cursor, limit }), retentionView);
  }

  @ReadModelRoute('policy-versions/:version/acceptances', 'Who accepted a policy version, and how (§1.4)', POLICY_ACCEPTANCES, 'auditor', 'regulator', 'admin')
  async acceptances(@Param('version', IsVersionPipe) version: string, @Query() p: PageParams) {
    await this.readYourWrites.waitFor(minPositionOf(p));
    return registerAnswer(p, { name: `acceptances-${version}`, columns: ACCEPTANCE_COLUMNS }, this.readYourWrites, (q, cursor, limit) => q.policyAcceptances(version, cursor, limit), acceptanceView);
  }
}
