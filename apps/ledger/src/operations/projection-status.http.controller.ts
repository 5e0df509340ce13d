import { Controller, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ReadModelQueries } from '@ledger/read-models';
import { QueryRoute } from '../http/routes';
import { CLOCK, type Clock } from '../infrastructure/clock';

/** How far the read models are behind the event store, for monitoring. */
@ApiTags('operations')
@Controller('v1/operations')
export class ProjectionStatusController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly queries: ReadModelQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @QueryRoute('erasures', 'Erasures per stage and how many are overdue (§2.10), for alerting', 'admin', 'auditor')
  async erasures() {
    return this.queries.erasureCounts();
  }

  @QueryRoute('projections', 'Projection lag: checkpoint, head, events and seconds behind', 'admin', 'auditor')
  async status() {
    const [checkpoint, head] = await Promise.all([this.queries.checkpoint(), this.store.headPosition()]);
    const next = (await this.store.readAll({ after: checkpoint.position, maxCount: 1 }))[0];
    const behind = next ? await this.store.readAll({ after: checkpoint.position, maxCount: 10_001 }) : [];
    return {
      projections: [{
        name: 'read-models',
        checkpoint: checkpoint.position.toString(),
        head: head.toString(),
        // counted, not subtracted: global positions need not be dense (KurrentDB)
        eventsBehind: behind.length > 10_000 ? '>10000' : behind.length,
        secondsBehind: next ? Math.max(0, (this.clock.now().getTime() - Date.parse(next.metadata.recordedAt)) / 1000) : 0,
        updatedAt: checkpoint.updatedAt,
      }],
    };
  }
}
