import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { compareDates, kzDateOf, notFound, type SealedValue } from '@ledger/domain';
import { consentStatusOn, ReadModelQueries } from '@ledger/read-models';
import type { Principal } from '../../http/auth';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import { ReadYourWrites } from '../../read-side/read-side.module';
import { PersonalDataReveal } from '../personal-data-reveal';

export class GetSubjectQuery {
  constructor(readonly subjectId: string, readonly principal: Principal, readonly minPosition: bigint | undefined) {}
}

/** The current state of one subject, from the read models (never by folding its stream). */
@QueryHandler(GetSubjectQuery)
export class GetSubjectHandler implements IQueryHandler<GetSubjectQuery> {
  constructor(
    private readonly queries: ReadModelQueries,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reveal: PersonalDataReveal,
  ) {}

  async execute({ subjectId, principal, minPosition }: GetSubjectQuery) {
    await this.readYourWrites.waitFor(minPosition);
    const view = await this.queries.subject(subjectId);
    if (!view) throw notFound('UNKNOWN_SUBJECT', 'nothing has been recorded for this subject');
    const today = kzDateOf(this.clock.now());
    const { subject: s } = view;
    return {
      subjectId,
      revision: String(s.revision),
      position: String(s.position),
      status: s.status,
      erasedAt: s.erased_at,
      agreement: { state: s.agreement_state, endedOn: s.agreement_ended_on, retentionEndsOn: s.retention_ends_on },
      restricted: s.restricted === 1,
      policy: { version: s.policy_version, acceptedAs: s.policy_accepted_mode, acceptedAt: s.policy_accepted_at },
      consents: view.consents.map((c) => ({
        purpose: c.purpose,
        basis: c.basis,
        // §2.3 — a consent past its validUntil is no longer a basis
        status: consentStatusOn(c, today),
        categories: JSON.parse(c.categories) as string[],
        policyVersion: c.policy_version,
        channel: c.channel,
        thirdPartyTransfer: c.third_party_transfer === 1,
        crossBorderTransfer: c.cross_border_transfer === 1,
        publication: c.publication === 1,
        validUntil: c.valid_until,
        grantedAt: c.granted_at,
        withdrawnOn: c.withdrawn_on,
      })),
      openErasure: view.openErasure && {
        erasureId: view.openErasure.erasure_id,
        receivedOn: view.openErasure.received_on,
        dueOn: view.openErasure.due_on,
        status: compareDates(today, view.openErasure.due_on) > 0 ? 'overdue' : 'scheduled',
      },
      openObligations: s.open_obligations,
      activeLegalHolds: s.active_legal_holds,
      acceptedPolicyVersions: view.acceptances.map((a) => ({ version: a.policy_version, mode: a.mode, acceptedAt: a.accepted_at })),
      personalData: await Promise.all(view.personalData.map(async (d) => ({
        category: d.category,
        source: d.source,
        recordedAt: d.recorded_at,
        value: await this.reveal.forPrincipal(principal, subjectId, d.category)('value', JSON.parse(d.sealed) as SealedValue),
      }))),
    };
  }
}
