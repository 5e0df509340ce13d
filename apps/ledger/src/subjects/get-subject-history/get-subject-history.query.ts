import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { assertReadable, notFound, subjectStream } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import type { Principal } from '../../http/auth';
import { eventDataView } from '../../http/views';
import { PersonalDataReveal } from '../personal-data-reveal';
import { ToDecimalInteger } from '../../http/validators';

export class HistoryPage {
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @ToDecimalInteger() @IsInt() @Min(0) fromRevision?: number;
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 }) @IsOptional() @ToDecimalInteger() @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({
    enum: ['stored'],
    description: 'stored: each event also as the event store holds it (`stored.data` with sealed values as ciphertext, `stored.metadata` whole), '
      + 'from which its chain hash can be recomputed (§4.3 integrity; docs/architecture.md, Integrity)',
  })
  @IsOptional() @IsIn(['stored']) include?: 'stored';
}

export class GetSubjectHistoryQuery {
  constructor(readonly subjectId: string, readonly page: HistoryPage, readonly principal: Principal) {}
}

/**
 * The subject's events in order, with their chain hashes: what an auditor replays. With
 * `include=stored`, each event also comes exactly as stored — the stream id above, and the
 * data (ciphertext, never plaintext, for sealed values) and metadata the hash covers — so
 * the chain can be recomputed away from the ledger (ARCHITECTURE §5).
 */
@QueryHandler(GetSubjectHistoryQuery)
export class GetSubjectHistoryHandler implements IQueryHandler<GetSubjectHistoryQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, private readonly reveal: PersonalDataReveal) {}

  async execute({ subjectId, page, principal }: GetSubjectHistoryQuery) {
    const limit = page.limit ?? 100;
    const from = BigInt(page.fromRevision ?? 0);
    const stored = await this.store.readStream(subjectStream(subjectId), { fromRevision: from, maxCount: limit + 1 });
    if (stored.length === 0 && from === 0n) throw notFound('UNKNOWN_SUBJECT', 'nothing has been recorded for this subject');
    const pageEvents = stored.slice(0, limit);
    // which fields of an event are sealed is known only for the types and versions this build reads
    for (const e of pageEvents) assertReadable(e.type, e.metadata.schemaVersion);
    return {
      subjectId,
      streamId: subjectStream(subjectId),
      events: await Promise.all(pageEvents.map(async (e) => {
        const category = (e.data as { category?: string }).category ?? '';
        const m = e.metadata;
        return {
          eventId: e.eventId,
          type: e.type,
          revision: e.revision.toString(),
          position: e.position.toString(),
          data: await eventDataView(e.type, e.data, this.reveal.forPrincipal(principal, subjectId, category)),
          metadata: {
            schemaVersion: m.schemaVersion, occurredAt: m.occurredAt, recordedAt: m.recordedAt, actor: m.actor,
            correlationId: m.correlationId, causationId: m.causationId, policyVersion: m.policyVersion ?? null,
            prevHash: m.prevHash, hash: m.hash,
          },
          ...(page.include === 'stored' ? { stored: { data: e.data, metadata: e.metadata } } : {}),
        };
      })),
      nextRevision: stored.length > limit ? stored[limit]!.revision.toString() : null,
    };
  }
}
