import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  activePurposes, fold, kzDateOf, notFound, subjectStream, toDomainEvent,
  type Decider, type PersonalDataRecorded, type Purpose, type SubjectCommand, type SubjectEvent, type SubjectState,
} from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import type { Principal } from '../../http/auth';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import { SUBJECT_DECIDER } from '../../infrastructure/infrastructure.module';
import { PersonalDataReveal } from '../personal-data-reveal';

export class GetSubjectQuery {
  constructor(readonly subjectId: string, readonly principal: Principal) {}
}

/**
 * The current state of one subject. Folded from the stream for now; the read-model issue
 * moves this onto projections without changing the response.
 */
@QueryHandler(GetSubjectQuery)
export class GetSubjectHandler implements IQueryHandler<GetSubjectQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SUBJECT_DECIDER) private readonly decider: Decider<SubjectCommand, SubjectEvent, SubjectState>,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reveal: PersonalDataReveal,
  ) {}

  async execute({ subjectId, principal }: GetSubjectQuery) {
    const stored = await this.store.readStream(subjectStream(subjectId));
    if (stored.length === 0) throw notFound('UNKNOWN_SUBJECT', 'nothing has been recorded for this subject');
    const events = stored.map((e) => toDomainEvent(e.type, e.metadata.schemaVersion, e.data) as SubjectEvent);
    const state = fold(this.decider, events);
    const today = kzDateOf(this.clock.now());
    const active = new Set(activePurposes(state, today));

    const latest = new Map<string, PersonalDataRecorded['data'] & { recordedAt: string }>();
    stored.forEach((e, i) => {
      const ev = events[i]!;
      if (ev.type === 'PersonalDataRecorded') latest.set(ev.data.category, { ...ev.data, recordedAt: e.metadata.recordedAt });
    });
    const erasedAt = state.status === 'erased'
      ? stored.findLast((e) => e.type === 'ErasureCompleted')?.metadata.occurredAt ?? null
      : null;

    return {
      subjectId,
      revision: stored.at(-1)!.revision.toString(),
      position: stored.at(-1)!.position.toString(),
      status: state.status === 'erased' ? 'erased' : 'active',
      erasedAt,
      agreement: { state: state.agreement, retentionEndsOn: state.retentionEndsOn },
      restricted: state.restrictionId !== null,
      consents: (Object.entries(state.purposes) as [Purpose, NonNullable<SubjectState['purposes'][Purpose]>][]).map(([purpose, p]) => ({
        purpose,
        basis: p.basis,
        status: p.status === 'active' && !active.has(purpose) ? 'lapsed' : p.status,
        categories: p.categories,
        policyVersion: p.policyVersion,
        thirdPartyTransfer: p.thirdPartyTransfer,
        crossBorderTransfer: p.crossBorderTransfer,
        validUntil: p.validUntil,
      })),
      openErasure: state.erasure ? { erasureId: state.erasure.erasureId, dueOn: state.erasure.dueOn, status: 'scheduled' } : null,
      pendingWithdrawals: state.pendingWithdrawals.map((w) => ({
        withdrawalId: w.withdrawalId, purposes: w.purposes, receivedOn: w.receivedOn, retractableUntil: w.retractableUntil,
      })),
      openObligations: state.openObligations.length,
      activeLegalHolds: state.legalHolds.length,
      acceptedPolicyVersions: state.acceptedPolicyVersions,
      personalData: await Promise.all([...latest.values()].map(async (d) => ({
        category: d.category,
        source: d.source,
        recordedAt: d.recordedAt,
        value: await this.reveal.forPrincipal(principal, subjectId, d.category)('value', d.value),
      }))),
    };
  }
}
