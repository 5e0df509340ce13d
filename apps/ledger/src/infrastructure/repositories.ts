import { Inject, Injectable } from '@nestjs/common';
import {
  policyDecider, POLICY_STREAM, recipientDecider, recipientStream, toDomainEvent,
  type Decider, type PolicyEvent, type PolicyState, type RecipientEvent, type RecipientState,
} from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';

interface Folded<S> {
  readonly state: S;
  readonly revision: bigint | null;
}

/**
 * Folded state of small reference streams, kept between requests. Streams are
 * append-only, so a cached fold stays true: each read only asks for events after the
 * revision already folded, which is usually none.
 */
class FoldedStreams<E, S> {
  private readonly cache = new Map<string, Folded<S>>();

  constructor(private readonly store: EventStore, private readonly decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>, private readonly max = 10_000) {}

  async state(streamId: string): Promise<S> {
    const cached = this.cache.get(streamId) ?? { state: this.decider.initialState, revision: null };
    const fresh = await this.store.readStream(streamId, { fromRevision: cached.revision === null ? 0n : cached.revision + 1n });
    if (fresh.length === 0) return cached.state;
    const state = fresh.reduce((s, e) => this.decider.evolve(s, toDomainEvent(e.type, e.metadata.schemaVersion, e.data) as E), cached.state);
    const latest = this.cache.get(streamId);
    // a concurrent reader may have folded further: keep whichever saw more
    if (!latest || latest.revision === null || latest.revision < fresh.at(-1)!.revision) {
      if (this.cache.size >= this.max) this.cache.clear();
      this.cache.set(streamId, { state, revision: fresh.at(-1)!.revision });
    }
    return state;
  }
}

/** Current state of the `policy` and `recipient-<id>` streams, for enriching commands. */
@Injectable()
export class ReferenceData {
  private readonly policies: FoldedStreams<PolicyEvent, PolicyState>;
  private readonly recipients: FoldedStreams<RecipientEvent, RecipientState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.policies = new FoldedStreams(store, policyDecider);
    this.recipients = new FoldedStreams(store, recipientDecider);
  }

  policy(): Promise<PolicyState> {
    return this.policies.state(POLICY_STREAM);
  }

  recipient(recipientId: string): Promise<RecipientState> {
    return this.recipients.state(recipientStream(recipientId));
  }
}
