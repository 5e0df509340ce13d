import { randomUUID } from 'node:crypto';
import { verifyChain } from '../hash-chain';
import { verifyStore } from '../verify-store';
import { WrongExpectedVersionError, type EventStore, type EventToAppend, type RecordedEvent } from '../event-store.port';

/**
 * The contract every EventStore adapter passes (issue: concurrency conflicts, global
 * ordering, idempotent retry, large streams, catch-up then live with no gap or
 * duplicate, filters, hash chains). Call it from an adapter's *.contract-spec.ts.
 */
export function describeEventStoreContract(name: string, open: () => Promise<EventStore>): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const ev = (type = 'Tested', data: unknown = { n: 1 }): EventToAppend => {
      const eventId = randomUUID();
      return {
        type,
        data,
        metadata: {
          eventId, schemaVersion: 1, occurredAt: '2026-11-25T00:00:00.000Z', actor: 'service:test',
          correlationId: eventId, causationId: eventId, idempotencyKey: null,
        },
      };
    };
    const stream = () => `contract-${randomUUID().replaceAll('-', '')}`;

    it('appends to a new stream and reads it back in revision order, hash-chained', async () => {
      const s = stream();
      const r = await store.append(s, [ev('A'), ev('B'), ev('C')], { expectedState: 'no_stream' });
      expect(r.nextExpectedRevision).toBe(2n);
      expect(r.events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      const read = await store.readStream(s);
      expect(read.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      expect(verifyChain(read)).toBeNull();
      expect(read[1]!.metadata.prevHash).toBe(read[0]!.metadata.hash);
    });

    it('verifies every chain of the store in one pass over the global order, page by page', async () => {
      const streams = [stream(), stream(), stream()];
      for (let round = 0; round < 4; round++) {
        await Promise.all(streams.map((s, i) => store.append(s, [ev(`R${round}`), ev(`S${i}`)], { expectedState: round === 0 ? 'no_stream' : BigInt(round * 2 - 1) })));
      }
      const before = await store.readAll();
      const v = await verifyStore(store, { pageSize: 5 });
      expect(v).toMatchObject({ breaks: [], events: before.length, lastPosition: before.at(-1)!.position });
      expect(v.streams).toBe(new Set(before.map((e) => e.streamId)).size);
    });

    it('reads a stream from a revision, whole or a page at a time', async () => {
      const s = stream();
      await store.append(s, Array.from({ length: 10 }, (_, i) => ev(`E${i}`)), { expectedState: 'no_stream' });
      const page = await store.readStream(s, { fromRevision: 3n, maxCount: 4 });
      expect(page.map((e) => e.type)).toEqual(['E3', 'E4', 'E5', 'E6']);
      expect((await store.readStream(s, { fromRevision: 7n })).map((e) => e.revision)).toEqual([7n, 8n, 9n]);
      expect(await store.readStream(s, { fromRevision: 10n })).toEqual([]);
    });

    it('reads a stream that does not exist as empty', async () => {
      expect(await store.readStream(stream())).toEqual([]);
    });

    it('rejects an append at the wrong expected revision and writes nothing', async () => {
      const s = stream();
      await store.append(s, [ev()], { expectedState: 'no_stream' });
      await expect(store.append(s, [ev()], { expectedState: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await expect(store.append(s, [ev()], { expectedState: 5n })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await expect(store.append(stream(), [ev()], { expectedState: 'stream_exists' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      expect(await store.readStream(s)).toHaveLength(1);
      await store.append(s, [ev()], { expectedState: 0n });
      await store.append(s, [ev()], { expectedState: 'any' });
      await store.append(s, [ev()], { expectedState: 'stream_exists' });
      expect(await store.readStream(s)).toHaveLength(4);
    });

    it('lets exactly one of many concurrent appends at the same revision through, keeping the chain linear', async () => {
      const s = stream();
      await store.append(s, [ev()], { expectedState: 'no_stream' });
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.append(s, [ev()], { expectedState: 0n })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedVersionError);
      const read = await store.readStream(s);
      expect(read).toHaveLength(2);
      expect(verifyChain(read)).toBeNull();
    });

    it('orders all events globally: positions strictly increase and each stream keeps its order', async () => {
      const a = stream();
      const b = stream();
      const start = await store.headPosition();
      await Promise.all([
        store.append(a, [ev('A0')], { expectedState: 'no_stream' }),
        store.append(b, [ev('B0'), ev('B1')], { expectedState: 'no_stream' }),
      ]);
      await store.append(a, [ev('A1')], { expectedState: 0n });
      const all = await store.readAll({ after: start, maxCount: 100 });
      const mine = all.filter((e) => e.streamId === a || e.streamId === b);
      expect(mine).toHaveLength(4);
      for (let i = 1; i < all.length; i++) expect(all[i]!.position > all[i - 1]!.position).toBe(true);
      expect(mine.filter((e) => e.streamId === a).map((e) => e.type)).toEqual(['A0', 'A1']);
      expect(await store.headPosition()).toBe(all.at(-1)!.position);
    });

    it('treats a retry with the same event ids as the same append: same result, nothing new', async () => {
      const s = stream();
      const events = [ev('A'), ev('B')];
      const first = await store.append(s, events, { expectedState: 'no_stream' });
      const retry = await store.append(s, events, { expectedState: 'no_stream' });
      expect(retry).toEqual(first);
      expect(await store.readStream(s)).toHaveLength(2);
      // the same ids somewhere else are not a retry
      await expect(store.append(stream(), events, { expectedState: 'no_stream' })).rejects.toBeInstanceOf(Error);
    });

    it('keeps a large stream whole and in order (5,000 events)', async () => {
      const s = stream();
      for (let i = 0; i < 50; i++) {
        await store.append(s, Array.from({ length: 100 }, (_, j) => ev('Big', { i: i * 100 + j })), {
          expectedState: i === 0 ? 'no_stream' : BigInt(i * 100 - 1),
        });
      }
      const read = await store.readStream(s);
      expect(read).toHaveLength(5000);
      expect(read.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
      expect(verifyChain(read)).toBeNull();
      expect(await store.readStream(s, { fromRevision: 4990n })).toHaveLength(10);
    }, 60_000);

    it('subscribes: catches up, then goes live, with no gap and no duplicate', async () => {
      const s = stream();
      const start = await store.headPosition();
      for (let i = 0; i < 10; i++) await store.append(s, Array.from({ length: 30 }, () => ev('Sub')), { expectedState: 'any' });
      const sub = store.subscribeToAll({ after: start, filter: { streamPrefixes: [s] } });
      const seen: RecordedEvent[] = [];
      const consuming = (async () => {
        for await (const e of sub) {
          seen.push(e);
          if (seen.length === 600) break;
        }
      })();
      // live writes while the subscriber is still catching up
      const writers = Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 3; i++) await store.append(s, Array.from({ length: 10 }, () => ev('Sub')), { expectedState: 'any' });
      });
      await Promise.all(writers);
      await consuming;
      await sub.close();
      expect(new Set(seen.map((e) => e.eventId)).size).toBe(600);
      expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: 600 }, (_, i) => BigInt(i)));
    }, 30_000);

    it('filters readAll and subscriptions by stream prefix and event type on the server side', async () => {
      const start = await store.headPosition();
      const s = stream();
      await store.append(s, [ev('Keep'), ev('Drop'), ev('Keep')], { expectedState: 'no_stream' });
      await store.append(stream(), [ev('Keep')], { expectedState: 'no_stream' });
      const byStream = await store.readAll({ after: start, filter: { streamPrefixes: [s] } });
      expect(byStream).toHaveLength(3);
      const byType = await store.readAll({ after: start, filter: { streamPrefixes: [s], eventTypes: ['Keep'] } });
      expect(byType.map((e) => e.type)).toEqual(['Keep', 'Keep']);
    });

    it('stamps every event with recordedAt, prevHash and hash beside the caller metadata', async () => {
      const s = stream();
      const e = ev();
      await store.append(s, [e], { expectedState: 'no_stream' });
      const [read] = await store.readStream(s);
      expect(read!.metadata).toMatchObject({ ...e.metadata, prevHash: '0'.repeat(64) });
      expect(read!.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isNaN(Date.parse(read!.metadata.recordedAt))).toBe(false);
      expect(read!.eventId).toBe(e.metadata.eventId);
    });
  });
}
