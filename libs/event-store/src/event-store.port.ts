/**
 * The EventStore port. Shaped after what KurrentDB offers (`@kurrent/kurrentdb-client`:
 * appendToStream with a stream state, readStream, readAll and subscribeToAll over global
 * positions with server-side filters) so that every adapter fits without changing a
 * caller. Revisions and positions are bigints, as in the KurrentDB client.
 */

/** The state a stream must be in for an append to go through (optimistic concurrency). */
export type StreamState = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** What the caller supplies; the store adds `recordedAt`, `prevHash` and `hash`. */
export interface EventMetadataInput {
  readonly eventId: string;
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly idempotencyKey: string | null;
  readonly policyVersion?: string;
  /** keyed hash of the request, to tell a retry from a reuse of its idempotency key */
  readonly requestHash?: string;
}

export interface EventMetadata extends EventMetadataInput {
  /** the store's clock when the transaction that wrote the event began (one time for all the events of a group commit) */
  readonly recordedAt: string;
  readonly prevHash: string;
  readonly hash: string;
}

export interface EventToAppend {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadataInput;
}

export interface RecordedEvent {
  readonly streamId: string;
  readonly revision: bigint;
  /** position in the store's global order; strictly increasing, not dense */
  readonly position: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface AppendResult {
  readonly streamId: string;
  /** the revision of the stream's last event after the append */
  readonly nextExpectedRevision: bigint;
  /** the global position of the last event written */
  readonly position: bigint;
  readonly events: readonly { readonly eventId: string; readonly revision: bigint; readonly position: bigint }[];
}

/** Server-side filter for readAll / subscribeToAll. */
export interface AllFilter {
  readonly streamPrefixes?: readonly string[];
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** exclusive: events strictly after this position; 0n (default) is the start */
  readonly after?: bigint;
  readonly maxCount?: number;
  readonly filter?: AllFilter;
}

export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: readonly EventToAppend[], options: { expectedState: StreamState }): Promise<AppendResult>;
  /** the whole stream in revision order, or [] if it does not exist */
  readStream(streamId: string, options?: { fromRevision?: bigint; maxCount?: number }): Promise<RecordedEvent[]>;
  /** one page of the global order */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** catch-up from `after`, then live, with no gap and no duplicate */
  subscribeToAll(options?: Omit<ReadAllOptions, 'maxCount'>): Subscription;
  /** the position of the last event in the store (0n when empty) */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: StreamState,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${streamId}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}
