import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createSubjectDecider, WorkingDayCalendar } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { defaultTopics } from './contract';
import { Relay, SqliteRelayCheckpoint } from './relay';
import { WorkerProducer } from './worker-producer';
import { appendSyntheticHistory } from './testing/synthetic-history';

const enabled = !!process.env.LEDGER_TEST_KAFKA_BROKERS; // CI starts Kafka, so the jars are there
const maybe = enabled ? describe : describe.skip;
const script = join(__dirname, '../../../scripts/kafka.sh');
const PORT = '59192'; // a broker of its own: stopping it must not disturb other suites
const env = { ...process.env, KAFKA_PORT: PORT, LEDGER_KAFKA_DIR: join(tmpdir(), `ledger-kafka-faults-${PORT}`) };
const broker = (action: 'start' | 'stop', keep = false) =>
  execFileSync(script, [action], { env: { ...env, ...(keep ? { KAFKA_KEEP_DATA: '1' } : {}) }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

maybe('relay faults on a real broker', () => {
  let bootstrap = '';
  beforeAll(() => {
    bootstrap = broker('start');
  }, 120_000);
  afterAll(() => {
    broker('stop');
  });

  it('broker stopped in the middle of relaying 10,000 events and started again: none lost, duplicates only with the same ce_id', async () => {
    const store = new SqliteEventStore({ filename: ':memory:', clock: () => new Date('2026-11-25T00:00:00Z') });
    const ids = await appendSyntheticHistory(store, 2000, 'f');
    const kafkaConfig = { clientId: 'faults', brokers: [bootstrap], retry: { retries: 2, initialRetryTime: 100 } };
    const kafka = new Kafka({ ...kafkaConfig, logLevel: logLevel.NOTHING });
    const topics = defaultTopics(`f${randomUUID().slice(0, 8)}`, 3);
    const checkpoint = new SqliteRelayCheckpoint(join(mkdtempSync(join(tmpdir(), 'relay-faults-')), 'relay.db'));
    // as the service runs it: the producer in a thread of its own, which the broker loss must not wedge
    const relay = new Relay({
      kafka, topics, store, checkpoint, decider: createSubjectDecider(new WorkingDayCalendar()), batchSize: 250,
      producer: (config) => new WorkerProducer(kafkaConfig, config),
    });
    const head = await store.headPosition();

    // the worker's loop: relay, and after a failure wait and go on from the checkpoint
    let failures = 0;
    const worker = (async () => {
      await relay.ensureTopics();
      while ((await checkpoint.load()) < head) {
        try {
          await relay.catchUp();
        } catch {
          failures++;
          await relay.close().catch(() => undefined);
          await sleep(500);
        }
      }
    })();
    while ((await checkpoint.load()) < head / 5n) await sleep(20);
    broker('stop');
    const stoppedAt = await checkpoint.load();
    await sleep(1500);
    broker('start', true);
    await worker;
    await relay.close();
    expect(stoppedAt).toBeLessThan(head); // it really was in the middle
    expect(failures).toBeGreaterThan(0); // and really saw the broker go

    // a consumer reads the concern topics, where every one of these events has its message
    const consumer = kafka.consumer({ groupId: `faults-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.consent.name, topics.personalData.name], fromBeginning: true });
    const seen = new Map<string, number>();
    let total = 0;
    await new Promise<void>((resolve) => void consumer.run({
      eachMessage: async ({ message }) => {
        const id = String(message.headers?.ce_id);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        total++;
        if (seen.size === ids.length) resolve();
      },
    }));
    await consumer.disconnect();
    expect(seen.size).toBe(10_000);
    const known = new Set(ids);
    expect([...seen.keys()].every((id) => known.has(id))).toBe(true); // duplicates only of real ids
    expect(total).toBeGreaterThanOrEqual(10_000);
    await checkpoint.close();
    await store.close();
  }, 180_000);
});
