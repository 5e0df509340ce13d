import { toDomainEvent, type Decider } from '@ledger/domain';
import type { EventStore, RecordedEvent } from '@ledger/event-store';

/** How a stream's events add up to the value kept for it between requests. */
export interface StreamFold<T> {
  /** the value of a stream with no events; called once per stream, so it may hold mutable parts */
  initial(): T;
  step(value: T, event: RecordedEvent): T;
}

/** A decider's state, folded from the stored events (upcast to the current schema). */
export const stateOf = <E, S>(decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>): StreamFold<S> => ({
  initial: () => decider.initialState,
  step: (state, e) => decider.evolve(state, toDomainEvent(e.type, e.metadata.schemaVersion, e.data) as E),
});

export interface FoldedStream<T> {
  readonly value: T;
  /** revision of the last event folded in; null while the stream has none */
  readonly revision: bigint | null;
  /** global position of that event; null while the stream has none */
  readonly position: bigint | null;
  /** how many events were folded in */
  readonly events: number;
}

export interface FoldedStreamsLimits {
  /** most streams kept; the least recently read go first */
  readonly maxStreams: number;
  /** most events folded into the kept streams, all together; a longer stream is never kept */
  readonly maxEvents: number;
}

/** Nest token for other limits than the defaults (tests) */
export const FOLD_LIMITS = Symbol('FoldedStreamsLimits');

export const DEFAULT_FOLD_LIMITS: FoldedStreamsLimits = { maxStreams: 10_000, maxEvents: 100_000 };

/**
 * Folded streams kept between requests, least recently read evicted first. Streams are
 * append-only, so a kept fold stays true: each read asks the store only for the events
 * after the revision already folded — usually none or the few the last command wrote —
 * and a command on a subject with 10,000 events costs what one on a new subject does,
 * instead of reading and folding all 10,000 again. Another process's appends are found by
 * the same read (the store answers "anything after n?" from the database whenever another
 * connection has written).
 */
export class FoldedStreams<T> {
  private readonly kept = new Map<string, FoldedStream<T>>();
  private keptEvents = 0;

  constructor(
    private readonly store: EventStore,
    private readonly fold: StreamFold<T>,
    private readonly limits: FoldedStreamsLimits = DEFAULT_FOLD_LIMITS,
  ) {}

  async read(streamId: string): Promise<FoldedStream<T>> {
    const kept = this.kept.get(streamId);
    const base: FoldedStream<T> = kept ?? { value: this.fold.initial(), revision: null, position: null, events: 0 };
    const fresh = await this.store.readStream(streamId, { fromRevision: base.revision === null ? 0n : base.revision + 1n });
    if (fresh.length === 0) {
      if (kept && this.kept.get(streamId) === kept) this.keep(streamId, kept); // most recently read
      return base;
    }
    let value = base.value;
    for (const e of fresh) value = this.fold.step(value, e);
    const last = fresh.at(-1)!;
    const folded: FoldedStream<T> = { value, revision: last.revision, position: last.position, events: base.events + fresh.length };
    const latest = this.kept.get(streamId);
    // a concurrent read may have folded further: keep whichever saw more
    if (!latest || latest.revision === null || latest.revision < last.revision) this.keep(streamId, folded);
    return folded;
  }

  /** streams and events kept now */
  get size(): { streams: number; events: number } {
    return { streams: this.kept.size, events: this.keptEvents };
  }

  private keep(streamId: string, folded: FoldedStream<T>): void {
    this.forget(streamId);
    if (folded.events > this.limits.maxEvents || this.limits.maxStreams < 1) return;
    this.kept.set(streamId, folded);
    this.keptEvents += folded.events;
    for (const [oldest, f] of this.kept) {
      if (this.kept.size <= this.limits.maxStreams && this.keptEvents <= this.limits.maxEvents) break;
      this.kept.delete(oldest);
      this.keptEvents -= f.events;
    }
  }

  private forget(streamId: string): void {
    const f = this.kept.get(streamId);
    if (f === undefined) return;
    this.kept.delete(streamId);
    this.keptEvents -= f.events;
  }
}
