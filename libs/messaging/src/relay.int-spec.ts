import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createSubjectDecider, WorkingDayCalendar } from '@ledger/domain';
import { CONTRACT_HISTORY } from './testing/contract-history';
import { contractProblems } from './testing/asyncapi-validator';
import { SqliteEventStore, type EventToAppend } from '@ledger/event-store';
import { defaultTopics } from './contract';
import { Relay, SqliteRelayCheckpoint, TopicMisconfiguredError } from './relay';

const brokers = process.env.LEDGER_TEST_KAFKA_BROKERS;
if (!brokers && process.env.CI) throw new Error('CI must run the Kafka suites on a real broker: set LEDGER_TEST_KAFKA_BROKERS (scripts/kafka.sh start)');
if (!brokers) console.warn('Kafka suites: SKIPPED (LEDGER_TEST_KAFKA_BROKERS is not set; `scripts/kafka.sh start` prints one)');
const maybe = brokers ? describe : describe.skip;

const CIPHERTEXT = 'Y3Q='; // the sealed value in CONTRACT_HISTORY: not even ciphertext may leave
const history = CONTRACT_HISTORY;

maybe('Kafka relay against a real broker', () => {
  it('publishes every event to its topic with key and CloudEvents headers, at least once, never a value', async () => {
    const kafka = new Kafka({ clientId: 'relay-test', brokers: brokers!.split(','), logLevel: logLevel.NOTHING });
    const topics = defaultTopics(`t${randomUUID().slice(0, 8)}`, 3);
    const store = new SqliteEventStore({ filename: ':memory:', clock: () => new Date('2026-11-25T00:00:00Z') });
    const toAppend = history.map((e): EventToAppend => {
      const id = randomUUID();
      return { type: e.type, data: e.data, metadata: { eventId: id, schemaVersion: 1, occurredAt: '2026-04-18T00:00:00.000Z', actor: 'test', correlationId: id, causationId: id, idempotencyKey: null } };
    });
    await store.append('subject-s_1', toAppend, { expectedState: 'no_stream' });
    const checkpoint = new SqliteRelayCheckpoint(join(mkdtempSync(join(tmpdir(), 'relay-')), 'relay.db'));
    const relay = new Relay({ kafka, topics, store, checkpoint, decider: createSubjectDecider(new WorkingDayCalendar()), batchSize: 3 });

    await relay.ensureTopics();
    const admin = kafka.admin();
    await admin.connect();
    const config = await admin.describeConfigs({ resources: [{ type: 2, name: topics.subjectState.name, configNames: ['cleanup.policy'] }], includeSynonyms: false });
    expect(config.resources[0]!.configEntries[0]!.configValue).toBe('compact');
    await admin.disconnect();

    expect(await relay.catchUp()).toBe(history.length);
    expect(await checkpoint.load()).toBe(await store.headPosition());
    expect(await relay.catchUp()).toBe(0); // the checkpoint holds: nothing sent twice

    // read every topic end to end
    // one integration event per published type (DataKeyShredded and DestructionDemanded are internal), and on the
    // compacted subject-state topic one state per subject per batch of 3: the state after
    // the subject's last event in the batch (contract 1.1.0)
    const published = toAppend.filter((e) => e.type !== 'DataKeyShredded' && e.type !== 'DestructionDemanded');
    const batches = Math.ceil(history.length / 3);
    const expected = published.length + batches;
    const consumer = kafka.consumer({ groupId: `check-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: Object.values(topics).map((t) => t.name), fromBeginning: true });
    const seen: { topic: string; key: string; value: string | null; headers: Record<string, string> }[] = [];
    await new Promise<void>((resolve) => void consumer.run({
      eachMessage: async ({ topic, message }) => {
        seen.push({
          topic, key: String(message.key), value: message.value ? String(message.value) : null,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
        if (seen.length === expected) resolve();
      },
    }));
    await consumer.disconnect();
    await relay.close();

    // every message as received validates against docs/asyncapi.yaml
    expect(seen.flatMap((m) => contractProblems(m.headers, m.value))).toEqual([]);
    expect(seen.every((m) => m.key === 's_1' && m.headers.ce_subject === 's_1')).toBe(true);
    const ids = new Set(seen.filter((m) => m.topic !== topics.subjectState.name).map((m) => m.headers.ce_id));
    expect([...ids].sort()).toEqual(published.map((e) => e.metadata.eventId).sort());
    const types = new Set(seen.map((m) => m.headers.ce_type));
    expect(types.size).toBe(13); // 12 published types + subject state
    const transfer = seen.find((m) => m.topic === topics.transfers.name)!;
    expect(transfer.headers.ledger_cross_border).toBe('true');
    const states = seen.filter((m) => m.topic === topics.subjectState.name);
    const lastOfEachBatch = Array.from({ length: batches }, (_, b) => toAppend[Math.min(b * 3 + 2, toAppend.length - 1)]!.metadata.eventId);
    expect(states.map((m) => m.headers.ce_id)).toEqual(lastOfEachBatch);
    expect(states.slice(0, -1).map((m) => JSON.parse(m.value!).revision)).toEqual(['2', '5', '8', '11', '14', '17']);
    expect(states.at(-1)!.value).toBeNull(); // tombstone after shredding
    expect(JSON.stringify(seen)).not.toContain(CIPHERTEXT);
    await checkpoint.close();
    await store.close();
  }, 60_000);
  it('refuses to publish to a subject-state topic that exists without compaction, and names the topic and the setting', async () => {
    const kafka = new Kafka({ clientId: 'relay-test', brokers: brokers!.split(','), logLevel: logLevel.NOTHING });
    const topics = defaultTopics(`t${randomUUID().slice(0, 8)}`, 1);
    const admin = kafka.admin();
    await admin.connect();
    // created by someone else, with the broker's default policy
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topics.subjectState.name, numPartitions: 1, replicationFactor: 1 }] });
    const store = new SqliteEventStore({ filename: ':memory:', clock: () => new Date('2026-11-25T00:00:00Z') });
    const checkpoint = new SqliteRelayCheckpoint(join(mkdtempSync(join(tmpdir(), 'relay-')), 'relay.db'));
    const relay = new Relay({ kafka, topics, store, checkpoint, decider: createSubjectDecider(new WorkingDayCalendar()) });
    const refusal = relay.ensureTopics();
    await expect(refusal).rejects.toBeInstanceOf(TopicMisconfiguredError);
    await expect(refusal).rejects.toThrow(`topic ${topics.subjectState.name} exists with cleanup.policy=delete`);
    expect(await admin.listTopics()).not.toContain(topics.consent.name); // nothing created either

    // fixed by the operator: the relay goes on
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topics.subjectState.name, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await relay.ensureTopics();
    expect(await admin.listTopics()).toContain(topics.consent.name);
    await admin.disconnect();
    await relay.close();
    await store.close();
  }, 60_000);
});
