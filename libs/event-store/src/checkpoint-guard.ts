import type { EventStore } from './event-store.port';

/**
 * A follower of the store's global order (the projector, the Kafka relay) has a checkpoint
 * naming an event the event store does not hold at that position: the store was restored
 * from a backup, or another store was put in its place. Carrying on from the checkpoint
 * would skip, without a word, every event written since at a position counted as done.
 * Carries positions only.
 */
export class CheckpointNotInStoreError extends Error {
  constructor(readonly follower: string, readonly checkpoint: bigint, readonly head: bigint, remedy: string) {
    super(`the ${follower} checkpoint is at position ${checkpoint}, but the event store does not hold that event `
      + `(its head is ${head}): was the store restored from a backup, or replaced? ${remedy}`);
    this.name = 'CheckpointNotInStoreError';
  }
}

/**
 * Whether the store holds, at `position`, the event `eventId` (any event, when the
 * checkpoint recorded no id). Position 0 is the start: always held. One read.
 */
export async function holdsCheckpoint(store: EventStore, position: bigint, eventId: string | null): Promise<boolean> {
  if (position <= 0n) return true;
  const [at] = await store.readAll({ after: position - 1n, maxCount: 1 });
  return at !== undefined && at.position === position && (eventId === null || at.eventId === eventId);
}
