import { Inject, Injectable } from '@nestjs/common';
import {
  fold, policyDecider, POLICY_STREAM, recipientDecider, recipientStream, toDomainEvent,
  type PolicyEvent, type PolicyState, type RecipientEvent, type RecipientState,
} from '@ledger/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@ledger/event-store';

const domainEvents = <E>(stored: readonly RecordedEvent[]) =>
  stored.map((e) => toDomainEvent(e.type, e.metadata.schemaVersion, e.data) as E);

/** Current state of the `policy` and `recipient-<id>` streams, for enriching commands. */
@Injectable()
export class ReferenceData {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async policy(): Promise<PolicyState> {
    return fold(policyDecider, domainEvents<PolicyEvent>(await this.store.readStream(POLICY_STREAM)));
  }

  async recipient(recipientId: string): Promise<RecipientState> {
    return fold(recipientDecider, domainEvents<RecipientEvent>(await this.store.readStream(recipientStream(recipientId))));
  }
}
