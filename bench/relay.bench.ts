/**
 * Relay throughput against a raw kafkajs producer sending the same number of messages,
 * of the same size, in batches of the same size, to the same broker, in the same run;
 * with and without kafkajs's (experimental) idempotent producer.
 * Targets (issue): relay ≥ 80% of raw kafkajs; relay rate ≥ the embedded store's append rate.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createSubjectDecider, WorkingDayCalendar } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { defaultTopics, integrationEvents, Relay, SqliteRelayCheckpoint, subjectStateMessage } from '@ledger/messaging';
import { appendSyntheticHistory } from '../libs/messaging/src/testing/synthetic-history';
import { fmt, machine, table } from './support';

const EVENTS = Number(process.env.BENCH_RELAY_EVENTS ?? 50_000);
/** batch sizes (events per request), both measured: the strongest baseline is the verdict */
const BATCHES = [500, 2000];

async function history(): Promise<SqliteEventStore> {
  const store = new SqliteEventStore({ filename: ':memory:', clock: () => new Date() });
  await appendSyntheticHistory(store, EVENTS / 5, 'b');
  return store;
}

export async function runRelayBench(): Promise<string> {
  const brokers = process.env.LEDGER_BENCH_KAFKA_BROKERS ?? execFileSync(join(__dirname, '../../scripts/kafka.sh'), ['start'], { encoding: 'utf8' }).trim();
  const kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const store = await history();
  const decider = createSubjectDecider(new WorkingDayCalendar());

  // what the relay will send: message count, mean value size and the headers, for the raw baseline
  const sample = await store.readAll({ maxCount: 5000 });
  const produced = sample.flatMap((e) => [...integrationEvents(e), subjectStateMessage(e, decider.initialState)!]);
  const meanSize = Math.round(produced.reduce((a, m) => a + (m.value?.length ?? 0), 0) / produced.length);
  const headers = produced[0]!.headers;
  const messagesPerEvent = produced.length / sample.length;

  const relayRun = async (idempotent: boolean, BATCH: number) => {
    const checkpoint = new SqliteRelayCheckpoint(join(mkdtempSync(join(tmpdir(), 'bench-relay-')), 'relay.db'));
    const relay = new Relay({ kafka, topics: defaultTopics(`br${randomUUID().slice(0, 6)}`, 6), store, checkpoint, decider, batchSize: BATCH, idempotent });
    await relay.ensureTopics();
    const start = performance.now();
    const n = await relay.catchUp();
    const seconds = (performance.now() - start) / 1000;
    await relay.close();
    await checkpoint.close();
    return { events: n / seconds, messages: (n * messagesPerEvent) / seconds };
  };

  const rawRun = async (idempotent: boolean, BATCH: number) => {
    const topic = `raw${randomUUID().slice(0, 6)}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer({ allowAutoTopicCreation: false, ...(idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {}) });
    await producer.connect();
    const value = 'x'.repeat(meanSize);
    const total = Math.round(EVENTS * messagesPerEvent);
    const perBatch = Math.round(BATCH * messagesPerEvent);
    const start = performance.now();
    for (let sent = 0; sent < total; sent += perBatch) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: Math.min(perBatch, total - sent) }, (_, i) => ({ key: `s${(sent + i) % 10_000}`, value, headers })) });
    }
    const seconds = (performance.now() - start) / 1000;
    await producer.disconnect();
    return total / seconds;
  };

  const rows: (string | number)[][] = [];
  for (const batch of BATCHES) {
    for (const idempotent of [false, true]) {
      const raw = await rawRun(idempotent, batch);
      const relay = await relayRun(idempotent, batch);
      rows.push([batch, idempotent ? 'on' : 'off', fmt(relay.events), fmt(relay.messages), fmt(raw), `${Math.round((relay.messages / raw) * 100)}%`]);
    }
  }
  await store.close();
  return [
    `### Kafka relay vs raw kafkajs — ${machine()}, ${fmt(EVENTS)} events (${messagesPerEvent.toFixed(1)} messages each, values of ${meanSize} bytes on average, 7 CloudEvents headers each), acks=all, single broker`,
    '',
    table(['events per batch', 'idempotent producer', 'relay events/s', 'relay messages/s', 'raw kafkajs messages/s', 'relay ÷ raw'], rows),
  ].join('\n');
}

if (require.main === module) void runRelayBench().then((r) => console.log(r));
