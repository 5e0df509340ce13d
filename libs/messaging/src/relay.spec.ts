import type { Kafka, TopicMessages } from 'kafkajs';
import { createSubjectDecider, WorkingDayCalendar } from '@ledger/domain';
import { CheckpointNotInStoreError, SqliteEventStore } from '@ledger/event-store';
import { defaultTopics } from './contract';
import { Relay, SqliteRelayCheckpoint } from './relay';
import { appendSyntheticHistory } from './testing/synthetic-history';
import type { RelayProducer } from './worker-producer';

/** The relay's requests, recorded instead of sent (the broker itself: relay.int-spec.ts). */
async function relayed(batchSize: number) {
  const store = new SqliteEventStore({ filename: ':memory:', clock: () => new Date('2026-11-25T00:00:00Z') });
  const ids = await appendSyntheticHistory(store, 2, 'u'); // subject-u0: 5 events, then subject-u1: 5 events
  const requests: TopicMessages[][] = [];
  const producer: RelayProducer = {
    connect: async () => {},
    disconnect: async () => {},
    sendBatch: async (b) => void requests.push(b.topicMessages ?? []),
  };
  const topics = defaultTopics('t', 1);
  const checkpoint = new SqliteRelayCheckpoint(':memory:');
  const relay = new Relay({
    kafka: {} as Kafka, topics, store, checkpoint, batchSize,
    decider: createSubjectDecider(new WorkingDayCalendar()),
    producer: () => producer,
  });
  expect(await relay.catchUp()).toBe(10);
  await checkpoint.close();
  await store.close();
  const of = (request: TopicMessages[], topic: string) => request.find((t) => t.topic === topic)?.messages ?? [];
  return { ids, topics, requests, of };
}

describe('Relay batches', () => {
  it('sends every event to its concern topic, in order, and one subject state per subject per batch: the latest', async () => {
    const { ids, topics, requests, of } = await relayed(4);
    // batches: [u0 r0..r3] [u0 r4, u1 r0..r2] [u1 r3..r4]
    expect(requests).toHaveLength(3);
    const concern = requests.flatMap((r) => [...of(r, topics.consent.name), ...of(r, topics.personalData.name)]);
    expect(concern.map((m) => m.headers!.ce_id).sort()).toEqual([...ids].sort());
    const states = requests.map((r) => of(r, topics.subjectState.name).map((m) => {
      const body = JSON.parse(String(m.value)) as { subjectId: string; revision: string };
      return `${m.key}@${body.revision}:${m.headers!.ce_id === ids[body.subjectId === 'u0' ? Number(body.revision) : 5 + Number(body.revision)]}`;
    }));
    expect(states).toEqual([['u0@3:true'], ['u0@4:true', 'u1@2:true'], ['u1@4:true']]);
  });

  it('with one event per batch, publishes a state after every event', async () => {
    const { requests, topics, of } = await relayed(1);
    expect(requests.map((r) => of(r, topics.subjectState.name).length)).toEqual(new Array(10).fill(1));
  });
});

describe('Relay checkpoint', () => {
  const clock = () => new Date('2026-11-25T00:00:00Z');
  const producer: RelayProducer = { connect: async () => {}, disconnect: async () => {}, sendBatch: async () => {} };
  const relayOver = (store: SqliteEventStore, checkpoint: SqliteRelayCheckpoint) => new Relay({
    kafka: {} as Kafka, topics: defaultTopics('t', 1), store, checkpoint, decider: createSubjectDecider(new WorkingDayCalendar()), producer: () => producer,
  });

  it('records the event it stopped at, and refuses a store that does not hold it (restored from a backup, or another): nothing is skipped in silence', async () => {
    const store = new SqliteEventStore({ filename: ':memory:', clock });
    await appendSyntheticHistory(store, 2, 'a');
    const checkpoint = new SqliteRelayCheckpoint(':memory:');
    expect(await relayOver(store, checkpoint).catchUp()).toBe(10);
    expect(await checkpoint.load()).toBe(10n);
    expect(await checkpoint.eventId()).toBe((await store.readAll({ after: 9n, maxCount: 1 }))[0]!.eventId);
    expect(await relayOver(store, checkpoint).catchUp()).toBe(0);

    const restored = new SqliteEventStore({ filename: ':memory:', clock }); // behind the checkpoint
    await appendSyntheticHistory(restored, 1, 'a');
    const refused = await relayOver(restored, checkpoint).catchUp().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CheckpointNotInStoreError);
    expect(refused).toMatchObject({ checkpoint: 10n, head: 5n });
    const grown = new SqliteEventStore({ filename: ':memory:', clock }); // past it, other events at the position
    await appendSyntheticHistory(grown, 3, 'b');
    await expect(relayOver(grown, checkpoint).catchUp()).rejects.toBeInstanceOf(CheckpointNotInStoreError);
    expect(await checkpoint.load()).toBe(10n);
    for (const s of [store, restored, grown]) await s.close();
    await checkpoint.close();
  });
});
