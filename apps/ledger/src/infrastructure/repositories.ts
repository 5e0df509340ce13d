import { Inject, Injectable } from '@nestjs/common';
import {
  policyDecider, POLICY_STREAM, recipientDecider, recipientStream, type PolicyState, type RecipientState,
} from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { FoldedStreams, stateOf } from './folded-streams';

/** Current state of the `policy` and `recipient-<id>` streams, for enriching commands. */
@Injectable()
export class ReferenceData {
  private readonly policies: FoldedStreams<PolicyState>;
  private readonly recipients: FoldedStreams<RecipientState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.policies = new FoldedStreams(store, stateOf(policyDecider));
    this.recipients = new FoldedStreams(store, stateOf(recipientDecider));
  }

  async policy(): Promise<PolicyState> {
    return (await this.policies.read(POLICY_STREAM)).value;
  }

  async recipient(recipientId: string): Promise<RecipientState> {
    return (await this.recipients.read(recipientStream(recipientId))).value;
  }
}
