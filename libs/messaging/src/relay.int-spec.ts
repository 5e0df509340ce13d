import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createSubjectDecider, WorkingDayCalendar, type SubjectEvent } from '@ledger/domain';
import { SqliteEventStore, type EventToAppend } from '@ledger/event-store';
import { defaultTopics } from './contract';
import { Relay, SqliteRelayCheckpoint } from './relay';

const brokers = process.env.LEDGER_TEST_KAFKA_BROKERS;
if (!brokers && process.env.CI) throw new Error('CI must run the Kafka suites on a real broker: set LEDGER_TEST_KAFKA_BROKERS (scripts/kafka.sh start)');
if (!brokers) console.warn('Kafka suites: SKIPPED (LEDGER_TEST_KAFKA_BROKERS is not set; `scripts/kafka.sh start` prints one)');
const maybe = brokers ? describe : describe.skip;

const CIPHERTEXT = 'cGxhbnRlZC1jYW5hcnktY2lwaGVydGV4dA==';
const history: SubjectEvent[] = [
  { type: 'ConsentGranted', data: { consentId: 'c', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01', channel: 'web', thirdPartyTransfer: true, crossBorderTransfer: true, publication: false, validUntil: null, grantedAt: '2026-03-01T00:00:00.000Z' } },
  { type: 'PersonalDataRecorded', data: { category: 'email-address', source: 'subject', value: { alg: 'A256GCM', v: 1, iv: 'aXY=', ct: CIPHERTEXT, tag: 'dGFn' }, action: 'recorded' } },
  { type: 'TransferRecorded', data: { transferId: 't1', recipientId: 'de-processor', recipientCountry: 'DE', crossBorder: true, purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-03-01T00:00:00.000Z' } },
  { type: 'ConsentWithdrawn', data: { withdrawalId: 'w', purposes: ['service-provision'], receivedOn: '2026-03-02', retractableUntil: '2026-04-17' } },
  { type: 'ErasureScheduled', data: { erasureId: 'e', reason: 'consent-withdrawn', withdrawalId: 'w', receivedOn: '2026-03-02', dueOn: '2026-04-17', clause: '§2.10' } },
  { type: 'ErasureStarted', data: { erasureId: 'e', startedAt: '2026-04-18T00:00:00.000Z', awaiting: ['crm', 'de-processor'], clause: '§2.10' } },
  { type: 'DataKeyShredded', data: { erasureId: 'e', shreddedAt: '2026-04-18T00:00:00.000Z', clause: '§2.10' } },
];

maybe('Kafka relay against a real broker', () => {
  it('publishes every event to its topic with key and CloudEvents headers, at least once, never a value', async () => {
    const kafka = new Kafka({ clientId: 'relay-test', brokers: brokers!.split(','), logLevel: logLevel.NOTHING });
    const topics = defaultTopics(`t${randomUUID().slice(0, 8)}`, 3);
    const store = new SqliteEventStore({ filename: ':memory:', clock: () => new Date('2026-11-25T00:00:00Z') });
    const toAppend = history.map((e): EventToAppend => {
      const id = randomUUID();
      return { type: e.type, data: e.data, metadata: { eventId: id, schemaVersion: 1, occurredAt: '2026-04-18T00:00:00.000Z', actor: 'test', correlationId: id, causationId: id, idempotencyKey: null } };
    });
    await store.append('subject-k-1', toAppend, { expectedState: 'no_stream' });
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
    const consumer = kafka.consumer({ groupId: `check-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: Object.values(topics).map((t) => t.name), fromBeginning: true });
    const seen: { topic: string; key: string; value: string | null; headers: Record<string, string> }[] = [];
    // 6 integration events (DataKeyShredded is internal) + 7 subject states
    await new Promise<void>((resolve) => void consumer.run({
      eachMessage: async ({ topic, message }) => {
        seen.push({
          topic, key: String(message.key), value: message.value ? String(message.value) : null,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
        if (seen.length === 13) resolve();
      },
    }));
    await consumer.disconnect();
    await relay.close();

    expect(seen.every((m) => m.key === 'k-1')).toBe(true);
    const ids = new Set(seen.map((m) => m.headers.ce_id));
    for (const e of toAppend) expect(ids.has(e.metadata.eventId)).toBe(true);
    expect(seen.every((m) => m.headers.ce_specversion === '1.0' && m.headers.ce_source === '/privacy-ledger' && m.headers.ce_subject === 'k-1')).toBe(true);
    const transfer = seen.find((m) => m.topic === topics.transfers.name)!;
    expect(transfer.headers.ledger_cross_border).toBe('true');
    expect(seen.filter((m) => m.topic === topics.erasure.name).map((m) => m.headers.ce_type)).toEqual([
      'kz.platform.ledger.erasure.scheduled.v1', 'kz.platform.ledger.erasure.started.v1',
    ]);
    const states = seen.filter((m) => m.topic === topics.subjectState.name);
    expect(states.at(-1)!.value).toBeNull(); // tombstone after shredding
    expect(JSON.stringify(seen)).not.toContain(CIPHERTEXT); // not even the ciphertext leaves
    await checkpoint.close();
    await store.close();
  }, 60_000);
});
