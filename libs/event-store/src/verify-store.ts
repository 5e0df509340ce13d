import type { EventStore } from './event-store.port';
import { CHAIN_START, checkLink, type ChainBreak, type ChainHead } from './hash-chain';

export interface StreamBreak extends ChainBreak {
  readonly streamId: string;
  /** the global position of the event where the chain breaks */
  readonly position: bigint;
}

export interface StoreVerification {
  readonly events: number;
  readonly streams: number;
  /** the last position read: the store's head when the verification began or later */
  readonly lastPosition: bigint;
  /** the first break of each broken stream, in global order; empty when every chain holds */
  readonly breaks: readonly StreamBreak[];
}

/**
 * Verifies every stream's hash chain (ARCHITECTURE §5) by one pass over the global order,
 * through the port alone, so it serves any adapter. Each stream's events must come in
 * revision order from 0, each naming the previous one's hash and hashing to its own: an
 * event changed, removed or inserted, or two swapped, break the chain at that revision.
 * A stream cut short at its end still verifies: that is for signed checkpoints to catch.
 * Keeps one head per stream in memory (≈150 bytes each).
 */
export async function verifyStore(
  store: EventStore,
  options: { pageSize?: number; onProgress?: (position: bigint, events: number) => void } = {},
): Promise<StoreVerification> {
  const pageSize = options.pageSize ?? 5_000;
  const heads = new Map<string, ChainHead | 'broken'>();
  const breaks: StreamBreak[] = [];
  let events = 0;
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) break;
    for (const e of page) {
      events++;
      const head = heads.get(e.streamId) ?? CHAIN_START;
      if (head === 'broken') continue; // one break per stream: what follows it cannot be judged
      const reason = checkLink(e, head);
      if (reason) {
        breaks.push({ streamId: e.streamId, revision: e.revision, position: e.position, reason });
        heads.set(e.streamId, 'broken');
      } else {
        heads.set(e.streamId, { revision: e.revision + 1n, hash: e.metadata.hash });
      }
    }
    after = page.at(-1)!.position;
    options.onProgress?.(after, events);
  }
  return { events, streams: heads.size, lastPosition: after, breaks };
}
