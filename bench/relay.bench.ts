/**
 * Relay throughput against a raw kafkajs producer sending the same number of messages,
 * of the same size, in batches of the same size, to the same broker, in the same run;
 * with and without kafkajs's (experimental) idempotent producer. Two baselines: raw
 * kafkajs sending exactly the relay's requests (the verdict: it differs from the relay
 * only by the relay's own work), and raw kafkajs sending to a single topic (what the
 * contract's topics per concern cost on top). Both baselines are kafkajs as published;
 * the relay's producer threads encode records with `encodeRecord` (the same bytes, one
 * buffer a record), and a last column runs the relay with kafkajs's own encoder.
 * Targets (issue): relay ≥ 80% of raw kafkajs; relay rate ≥ the embedded store's append rate
 * — measured here for the very history relayed: appended through the store as the service
 * appends (group commit, 64 concurrent writers, one event per append), then relayed.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type ProducerConfig, type TopicMessages } from 'kafkajs';
import { createSubjectDecider, WorkingDayCalendar } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { defaultTopics, Relay, SqliteRelayCheckpoint, WorkerProducer, type RecordEncoderChoice, type Topics } from '@ledger/messaging';
import { syntheticEvents } from '../libs/messaging/src/testing/synthetic-history';
import { cpuSpeed, fmt, machine, median, relativeSpeed, scratch, table } from './support';

const EVENTS = Number(process.env.BENCH_RELAY_EVENTS ?? 50_000);
/** batch sizes (events per request), both measured */
const BATCHES = [500, 2000];
/** measured runs per cell, interleaved; the median is reported */
const REPEATS = Number(process.env.BENCH_RELAY_REPEATS ?? 3);
/** how many events each subject has, one after the other: 5 (a sign-up), and 1 (every event a new subject: the worst case) */
const SHAPES = [5, 1];
const WRITERS = 64;

/**
 * `EVENTS` events, `perSubject` to a subject, appended as the service appends them: 64
 * concurrent writers, one event per append, group commit, on disk. Returns the store and
 * the append rate it reached.
 */
async function history(dir: string, perSubject: number): Promise<{ store: SqliteEventStore; appendRate: number }> {
  const store = new SqliteEventStore({ filename: join(dir, `events-${perSubject}.db`), clock: () => new Date() });
  const subjects = EVENTS / perSubject;
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    for (let s = next++; s < subjects; s = next++) {
      const events = syntheticEvents(perSubject);
      for (let i = 0; i < perSubject; i++) {
        await store.append(`subject-b${s}`, [events[i]!], { expectedState: i === 0 ? 'no_stream' : BigInt(i - 1) });
      }
    }
  }));
  return { store, appendRate: EVENTS / ((performance.now() - start) / 1000) };
}

/**
 * kafkajs's createTopics, waiting for leaders, may ask for the new topics' metadata before
 * a KRaft broker serves it and fail with UNKNOWN_TOPIC_OR_PARTITION (tulios/kafkajs#1222);
 * the topics exist by then, so the creation is tried again (the service's relay loop
 * retries the same way).
 */
async function untilCreated(create: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      if (attempt >= 5 || !(error as { retriable?: boolean }).retriable) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function runRelayBench(): Promise<string> {
  const brokers = process.env.LEDGER_BENCH_KAFKA_BROKERS ?? execFileSync(join(__dirname, '../../scripts/kafka.sh'), ['start'], { encoding: 'utf8' }).trim();
  const kafkaConfig = { clientId: 'bench', brokers: brokers.split(',') };
  const kafka = new Kafka({ ...kafkaConfig, logLevel: logLevel.NOTHING });
  const decider = createSubjectDecider(new WorkingDayCalendar());
  const { dir, cleanup } = scratch('relay');
  const startSpeed = cpuSpeed();

  const checkpointFile = () => join(mkdtempSync(join(tmpdir(), 'bench-relay-')), 'relay.db');

  /**
   * The relay catching up from position 0 into `topics` (created beforehand), its producer
   * in worker threads as the service runs it (two by default, `threads` to compare).
   */
  const relayRun = async (store: SqliteEventStore, idempotent: boolean, BATCH: number, topics: Topics, threads = 2, encoder: RecordEncoderChoice = 'single-buffer') => {
    const file = checkpointFile();
    const checkpoint = new SqliteRelayCheckpoint(file);
    const relay = new Relay({
      kafka, topics, store, checkpoint, decider, batchSize: BATCH, idempotent,
      producer: (config: ProducerConfig) => new WorkerProducer(kafkaConfig, config, threads, encoder),
    });
    const start = performance.now();
    const n = await relay.catchUp();
    const seconds = (performance.now() - start) / 1000;
    await relay.close();
    await checkpoint.close();
    rmSync(file, { force: true });
    return n / seconds;
  };

  /**
   * The requests the relay makes, captured by handing it a producer that records them
   * instead of sending: same topics, partitions, keys, values and headers, same batches.
   */
  const relayRequests = async (store: SqliteEventStore, BATCH: number, topics: Topics) => {
    const requests: TopicMessages[][] = [];
    const recorder = { connect: async () => {}, disconnect: async () => {}, sendBatch: async (b: { topicMessages: TopicMessages[] }) => void requests.push(b.topicMessages) };
    const checkpoint = new SqliteRelayCheckpoint(':memory:');
    await new Relay({ kafka, topics, store, checkpoint, decider, batchSize: BATCH, producer: () => recorder }).catchUp();
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
    const start = performance.now();
    for (const topicMessages of requests) await p.sendBatch({ acks: -1, topicMessages });
    const seconds = (performance.now() - start) / 1000;
    await p.disconnect();
    return count(requests) / seconds;
  };

  /** raw kafkajs sending as many messages of the mean size, same headers, in as many requests, to one topic of 6 partitions */
  const rawOneTopic = async (idempotent: boolean, requests: TopicMessages[][], topic: string) => {
    const p = await producer(idempotent);
    const all = requests.flatMap((r) => r.flatMap((t) => t.messages));
    const value = 'x'.repeat(Math.round(all.reduce((a, m) => a + String(m.value ?? '').length, 0) / all.length));
    const headers = all[0]!.headers;
    const perBatch = Math.ceil(all.length / requests.length);
    const start = performance.now();
    for (let sent = 0; sent < all.length; sent += perBatch) {
      await p.send({ topic, acks: -1, messages: Array.from({ length: Math.min(perBatch, all.length - sent) }, (_, i) => ({ key: `s${(sent + i) % 10_000}`, value, headers })) });
    }
    const seconds = (performance.now() - start) / 1000;
    await p.disconnect();
    return all.length / seconds;
  };

  const rows: (string | number)[][] = [];
  for (const perSubject of SHAPES) {
    const { store, appendRate } = await history(dir, perSubject);
    for (const batch of BATCHES) {
      // One set of topics per cell, created as the relay creates them and written to once
      // before measuring (a discarded warm-up), so no run pays for fresh partitions.
      const topics = defaultTopics(`b${perSubject}x${batch}${randomUUID().slice(0, 6)}`, 6);
      await untilCreated(() => new Relay({ kafka, topics, store, checkpoint: new SqliteRelayCheckpoint(':memory:'), decider }).ensureTopics());
      const oneTopic = `${topics.consent.name}.one`;
      await untilCreated(async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          const exists = (await admin.listTopics()).includes(oneTopic);
          if (!exists) await admin.createTopics({ waitForLeaders: true, topics: [{ topic: oneTopic, numPartitions: 6, replicationFactor: 1 }] });
        } finally {
          await admin.disconnect();
        }
      });
      const requests = await relayRequests(store, batch, topics);
      const messagesPerEvent = count(requests) / EVENTS;
      await rawIdentical(false, requests);
      await rawOneTopic(false, requests, oneTopic);
      // kafkajs's idempotent producer: measured once, on the first cell (its decision: docs/benchmarks.md)
      for (const idempotent of perSubject === SHAPES[0] && batch === BATCHES[0] ? [false, true] : [false]) {
        const runs = { identical: [] as number[], oneTopic: [] as number[], relay: [] as number[], oneThread: [] as number[], kafkajsEncoder: [] as number[] };
        for (let r = 0; r < REPEATS; r++) { // interleaved, so drift on the shared machine hits all of them
          runs.identical.push(await rawIdentical(idempotent, requests));
          runs.oneTopic.push(await rawOneTopic(idempotent, requests, oneTopic));
          runs.relay.push(await relayRun(store, idempotent, batch, topics));
          runs.oneThread.push(await relayRun(store, idempotent, batch, topics, 1));
          runs.kafkajsEncoder.push(await relayRun(store, idempotent, batch, topics, 2, 'kafkajs'));
        }
        const [identical, one, relayEvents, oneThread, kafkajsEncoder] =
          [median(runs.identical), median(runs.oneTopic), median(runs.relay), median(runs.oneThread), median(runs.kafkajsEncoder)];
        const relay = relayEvents * messagesPerEvent;
        rows.push([
          perSubject, batch, idempotent ? 'on' : 'off', messagesPerEvent.toFixed(2),
          fmt(relayEvents), fmt(appendRate), `${Math.round((relayEvents / appendRate) * 100)}%`,
          fmt(relay), fmt(identical), `${Math.round((relay / identical) * 100)}%`,
          // what any relay built on kafkajs could reach here: raw kafkajs sending these very
          // requests, in events per second, against the append rate
          `${Math.round((identical / messagesPerEvent / appendRate) * 100)}%`,
          fmt(one), `${Math.round((relay / one) * 100)}%`, fmt(oneThread), fmt(kafkajsEncoder),
        ]);
      }
    }
    await store.close();
  }
  cleanup();
  return [
    `### Kafka relay vs raw kafkajs — ${machine()}, ${fmt(EVENTS)} events, acks=all, single broker, median of ${REPEATS} interleaved runs after a warm-up; machine speed at the end ${relativeSpeed(cpuSpeed(), startSpeed)} of the start`,
    '',
    table([
      'events per subject', 'events per batch', 'idempotent producer', 'messages per event',
      'relay events/s', 'store appends/s, same history', 'relay ÷ appends',
      'relay messages/s', 'raw kafkajs, the relay\'s requests, messages/s', 'relay ÷ raw', 'raw ÷ appends (ceiling for any kafkajs relay)',
      'raw kafkajs, one topic, messages/s', 'relay ÷ one topic', 'relay, one producer thread, events/s',
      'relay, kafkajs\'s own record encoder, events/s',
    ], rows),
  ].join('\n');
}

const count = (requests: TopicMessages[][]) => requests.reduce((a, r) => a + r.reduce((b, t) => b + t.messages.length, 0), 0);

if (require.main === module) void runRelayBench().then((r) => console.log(r));
