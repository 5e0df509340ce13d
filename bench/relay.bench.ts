/**
 * Relay throughput against a raw kafkajs producer sending the same number of messages,
 * of the same size, in batches of the same size, to the same broker, in the same run;
 * with and without kafkajs's (experimental) idempotent producer. Two baselines: raw
 * kafkajs sending exactly the relay's requests (the verdict: it differs from the relay
 * only by the relay's own work), and raw kafkajs sending to a single topic (what the
 * contract's topics per concern cost on top).
 * Targets (issue): relay ≥ 80% of raw kafkajs; relay rate ≥ the embedded store's append rate.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type ProducerConfig, type TopicMessages } from 'kafkajs';
import { createSubjectDecider, WorkingDayCalendar } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { defaultTopics, integrationEvents, Relay, SqliteRelayCheckpoint, subjectStateMessage, WorkerProducer, type Topics } from '@ledger/messaging';
import { appendSyntheticHistory } from '../libs/messaging/src/testing/synthetic-history';
import { fmt, machine, table } from './support';

const EVENTS = Number(process.env.BENCH_RELAY_EVENTS ?? 50_000);
/** batch sizes (events per request), both measured: the strongest baseline is the verdict */
const BATCHES = [500, 2000];
/** measured runs per cell, interleaved; the median is reported */
const REPEATS = Number(process.env.BENCH_RELAY_REPEATS ?? 3);

async function history(): Promise<SqliteEventStore> {
  const store = new SqliteEventStore({ filename: ':memory:', clock: () => new Date() });
  await appendSyntheticHistory(store, EVENTS / 5, 'b');
  return store;
}

export async function runRelayBench(): Promise<string> {
  const brokers = process.env.LEDGER_BENCH_KAFKA_BROKERS ?? execFileSync(join(__dirname, '../../scripts/kafka.sh'), ['start'], { encoding: 'utf8' }).trim();
  const kafkaConfig = { clientId: 'bench', brokers: brokers.split(',') };
  const kafka = new Kafka({ ...kafkaConfig, logLevel: logLevel.NOTHING });
  const store = await history();
  const decider = createSubjectDecider(new WorkingDayCalendar());

  // what the relay will send: message count, mean value size and the headers, for the raw baseline
  const sample = await store.readAll({ maxCount: 5000 });
  const produced = sample.flatMap((e) => [...integrationEvents(e), subjectStateMessage(e, decider.initialState)!]);
  const meanSize = Math.round(produced.reduce((a, m) => a + (m.value?.length ?? 0), 0) / produced.length);
  const headers = produced[0]!.headers;
  const messagesPerEvent = produced.length / sample.length;

  /**
   * The relay catching up from position 0, into `topics` (created beforehand); `threaded`:
   * as the service runs it, with its kafkajs producer in a worker thread.
   */
  const relayRun = async (idempotent: boolean, BATCH: number, topics: Topics, threaded: boolean) => {
    const checkpoint = new SqliteRelayCheckpoint(join(mkdtempSync(join(tmpdir(), 'bench-relay-')), 'relay.db'));
    const relay = new Relay({
      kafka, topics, store, checkpoint, decider, batchSize: BATCH, idempotent,
      ...(threaded ? { producer: (config: ProducerConfig) => new WorkerProducer(kafkaConfig, config) } : {}),
    });
    const start = performance.now();
    const n = await relay.catchUp();
    const seconds = (performance.now() - start) / 1000;
    await relay.close();
    await checkpoint.close();
    return (n * messagesPerEvent) / seconds;
  };

  /**
   * The requests the relay makes, captured by handing it a producer that records them
   * instead of sending: same topics, partitions, keys, values and headers, same batches.
   */
  const relayRequests = async (BATCH: number, topics: Topics) => {
    const requests: TopicMessages[][] = [];
    const recorder = { producer: () => ({ connect: async () => {}, disconnect: async () => {}, sendBatch: async (b: { topicMessages: TopicMessages[] }) => void requests.push(b.topicMessages) }) };
    const checkpoint = new SqliteRelayCheckpoint(join(mkdtempSync(join(tmpdir(), 'bench-relay-')), 'relay.db'));
    await new Relay({ kafka: recorder as unknown as Kafka, topics, store, checkpoint, decider, batchSize: BATCH }).catchUp();
    await checkpoint.close();
    return requests;
  };

  const producer = async (idempotent: boolean) => {
    const p = kafka.producer({ allowAutoTopicCreation: false, ...(idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {}) });
    await p.connect();
    return p;
  };

  /** raw kafkajs sending exactly the relay's requests, one after another */
  const rawIdentical = async (idempotent: boolean, requests: TopicMessages[][]) => {
    const p = await producer(idempotent);
    const total = requests.reduce((a, r) => a + r.reduce((b, t) => b + t.messages.length, 0), 0);
    const start = performance.now();
    for (const topicMessages of requests) await p.sendBatch({ acks: -1, topicMessages });
    const seconds = (performance.now() - start) / 1000;
    await p.disconnect();
    return total / seconds;
  };

  /** raw kafkajs sending as many messages of the mean size, same headers, to one topic of 6 partitions */
  const rawOneTopic = async (idempotent: boolean, BATCH: number, topic: string) => {
    const p = await producer(idempotent);
    const value = 'x'.repeat(meanSize);
    const total = Math.round(EVENTS * messagesPerEvent);
    const perBatch = Math.round(BATCH * messagesPerEvent);
    const start = performance.now();
    for (let sent = 0; sent < total; sent += perBatch) {
      await p.send({ topic, acks: -1, messages: Array.from({ length: Math.min(perBatch, total - sent) }, (_, i) => ({ key: `s${(sent + i) % 10_000}`, value, headers })) });
    }
    const seconds = (performance.now() - start) / 1000;
    await p.disconnect();
    return total / seconds;
  };

  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const rows: (string | number)[][] = [];
  for (const batch of BATCHES) {
    // One set of topics per batch size, created as the relay creates them and written to
    // once before measuring (a discarded warm-up), so no run pays for fresh partitions.
    const topics = defaultTopics(`b${batch}${randomUUID().slice(0, 6)}`, 6);
    await new Relay({ kafka, topics, store, checkpoint: new SqliteRelayCheckpoint(':memory:'), decider }).ensureTopics();
    const oneTopic = `${topics.consent.name}.one`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: oneTopic, numPartitions: 6, replicationFactor: 1 }] });
    await admin.disconnect();
    const requests = await relayRequests(batch, topics);
    await rawIdentical(false, requests);
    await rawOneTopic(false, batch, oneTopic);
    for (const idempotent of [false, true]) {
      const runs = { identical: [] as number[], oneTopic: [] as number[], relay: [] as number[], inline: [] as number[] };
      for (let r = 0; r < REPEATS; r++) { // interleaved, so drift on the shared machine hits all of them
        runs.identical.push(await rawIdentical(idempotent, requests));
        runs.oneTopic.push(await rawOneTopic(idempotent, batch, oneTopic));
        runs.relay.push(await relayRun(idempotent, batch, topics, true));
        runs.inline.push(await relayRun(idempotent, batch, topics, false));
      }
      const [identical, one, relay, inline] = [median(runs.identical), median(runs.oneTopic), median(runs.relay), median(runs.inline)];
      rows.push([
        batch, idempotent ? 'on' : 'off', fmt(relay / messagesPerEvent), fmt(relay),
        fmt(identical), `${Math.round((relay / identical) * 100)}%`,
        fmt(one), `${Math.round((relay / one) * 100)}%`,
        fmt(inline), `${Math.round((inline / identical) * 100)}%`,
      ]);
    }
  }
  await store.close();
  return [
    `### Kafka relay vs raw kafkajs — ${machine()}, ${fmt(EVENTS)} events (${messagesPerEvent.toFixed(1)} messages each, values of ${meanSize} bytes on average, 7 CloudEvents headers each), acks=all, single broker, median of ${REPEATS} interleaved runs after a warm-up`,
    '',
    table(['events per batch', 'idempotent producer', 'relay events/s', 'relay messages/s', 'raw kafkajs, the relay\'s requests, messages/s', 'relay ÷ raw', 'raw kafkajs, one topic, messages/s', 'relay ÷ one topic', 'relay on one thread, messages/s', 'one thread ÷ raw'], rows),
  ].join('\n');
}

if (require.main === module) void runRelayBench().then((r) => console.log(r));
