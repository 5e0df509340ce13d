import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, holdsCheckpoint, type EventStore } from '@ledger/event-store';
import { ReadModelQueries } from '@ledger/read-models';
import { CLOCK, type Clock } from '../infrastructure/clock';

/** How far the read models trail the event store: for the status endpoint and the metrics. */
@Injectable()
export class ProjectionLag {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly queries: ReadModelQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Checkpoint, head, the age of the oldest event not yet projected, and how many events
   * are behind — counted (global positions need not be dense, as in KurrentDB) up to `countUpTo`.
   */
  async measure(countUpTo = 1) {
    const [checkpoint, head] = await Promise.all([this.queries.checkpoint(), this.store.headPosition()]);
    const [behind, inStore] = await Promise.all([
      this.store.readAll({ after: checkpoint.position, maxCount: countUpTo }),
      holdsCheckpoint(this.store, checkpoint.position, checkpoint.eventId),
    ]);
    const oldest = behind[0];
    return {
      checkpoint,
      head,
      /** false: the store does not hold the checkpoint's event (restored or replaced); the projector has stopped */
      inStore,
      eventsBehind: behind.length,
      secondsBehind: oldest ? Math.max(0, (this.clock.now().getTime() - Date.parse(oldest.metadata.recordedAt)) / 1000) : 0,
    };
  }
}
