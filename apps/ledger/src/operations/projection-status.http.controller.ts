import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadModelQueries } from '@ledger/read-models';
import { QueryRoute } from '../http/routes';
import { NoFieldsPipe } from '../http/validation';
import { ProjectionLag } from './projection-lag';
import { ERASURE_COUNTS, PROJECTIONS } from '../http/openapi-views';

/** How far the read models are behind the event store, for monitoring. */
@ApiTags('operations')
@Controller('v1/operations')
export class ProjectionStatusController {
  constructor(private readonly queries: ReadModelQueries, private readonly lag: ProjectionLag) {}

  @QueryRoute('erasures', 'Erasures per stage and how many are overdue (§2.10), for alerting', ERASURE_COUNTS, 'admin', 'auditor')
  // no query parameters: any is 400, as an unknown one of any other query (HTTP 1.34.0)
  async erasures(@Query(NoFieldsPipe) _query: undefined) {
    return this.queries.erasureCounts();
  }

  @QueryRoute('projections', 'Projection lag: checkpoint, head, events and seconds behind, and whether the store holds the checkpoint\'s event', PROJECTIONS, 'admin', 'auditor')
  async status(@Query(NoFieldsPipe) _query: undefined) {
    const { checkpoint, head, inStore, eventsBehind, secondsBehind } = await this.lag.measure(10_001);
    return {
      projections: [{
        name: 'read-models',
        checkpoint: checkpoint.position.toString(),
        head: head.toString(),
        eventsBehind: eventsBehind > 10_000 ? '>10000' : eventsBehind,
        secondsBehind,
        updatedAt: checkpoint.updatedAt,
        // false after the event store was restored from a backup or replaced: rebuild (docs/operations.md)
        checkpointInStore: inStore,
      }],
    };
  }
}
