import Database from 'better-sqlite3';
import { ConfigResourceTypes, type Admin, type Kafka, type ProducerConfig } from 'kafkajs';
import {
  fold, SUBJECT_STREAM_PREFIX, toDomainEvent, type Decider, type SubjectCommand, type SubjectEvent, type SubjectState,
} from '@ledger/domain';
import { CheckpointNotInStoreError, holdsCheckpoint, type EventStore, type RecordedEvent } from '@ledger/event-store';
import { integrationEvents, subjectStateMessage, type OutgoingMessage, type Topics } from './contract';
import type { RelayProducer } from './worker-producer';

type Prepared = Map<string, { key: string; value: string | null; headers: Record<string, string> }[]>;

/** Where the relay remembers the last position the broker acknowledged. */
export interface RelayCheckpoint {
  load(): Promise<bigint>;
  /** the id of the event at the loaded position, or null if none was recorded */
  eventId(): Promise<string | null>;
  save(position: bigint, eventId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The relay's checkpoint in a small SQLite file of its own: not in the read models, so
 * rebuilding those never makes the relay publish everything again. It commits without
 * waiting for the disk (synchronous=NORMAL): a power cut may take back the last saves,
 * never put the checkpoint ahead of an acknowledgement, so the cost is re-sent batches,
 * which at-least-once delivery and `ce_id` deduplication already cover. An fsync per
 * batch would stall the relay's thread between two sends.
 */
export class SqliteRelayCheckpoint implements RelayCheckpoint {
  private readonly db: Database.Database;

  constructor(filename: string, private readonly name = 'kafka-relay') {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS relay_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    // the event at the checkpoint, to tell a restored or replaced event store (files from before have no such column)
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(relay_checkpoints)').all().map((c) => c.name);
    if (!columns.includes('event_id')) this.db.exec('ALTER TABLE relay_checkpoints ADD COLUMN event_id TEXT');
  }

  async load(): Promise<bigint> {
    const row = this.db.prepare<[string], { position: number }>('SELECT position FROM relay_checkpoints WHERE name = ?').get(this.name);
    return BigInt(row?.position ?? 0);
  }

  async eventId(): Promise<string | null> {
    const row = this.db.prepare<[string], { event_id: string | null }>('SELECT event_id FROM relay_checkpoints WHERE name = ?').get(this.name);
    return row?.event_id ?? null;
  }

  async save(position: bigint, eventId: string): Promise<void> {
    this.db.prepare('INSERT INTO relay_checkpoints (name, position, event_id) VALUES (?, ?, ?) '
      + 'ON CONFLICT (name) DO UPDATE SET position = excluded.position, event_id = excluded.event_id')
      .run(this.name, Number(position), eventId);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export interface RelayOptions {
  readonly kafka: Kafka;
  readonly topics: Topics;
  readonly store: EventStore;
  readonly checkpoint: RelayCheckpoint;
  readonly decider: Decider<SubjectCommand, SubjectEvent, SubjectState>;
  readonly replicationFactor?: number;
  readonly batchSize?: number;
  /** kafkajs's idempotent producer (marked experimental by kafkajs); off by default, see docs/benchmarks.md */
  readonly idempotent?: boolean;
  /**
   * Where the producer lives: by default `kafka.producer(config)` on this thread; the
   * service passes one in a thread of its own (`WorkerProducer`).
   */
  readonly producer?: (config: ProducerConfig) => RelayProducer;
}

/** An existing topic lacks a setting the contract depends on; an operator must fix it. */
export class TopicMisconfiguredError extends Error {
  override readonly name = 'TopicMisconfiguredError';
}

/**
 * Publishes the event store's global order to Kafka, at least once: each batch is sent
 * with acks from all in-sync replicas, and the checkpoint moves only after the broker
 * acknowledged it. After a crash the batch in flight is sent again; consumers drop
 * duplicates by `ce_id`.
 */
export class Relay {
  private producer: RelayProducer | null = null;
  private readonly states = new Map<string, { state: SubjectState; revision: bigint }>();
  private position = 0n;

  constructor(private readonly o: RelayOptions) {}

  get lastPosition(): bigint {
    return this.position;
  }

  /**
   * Creates missing topics with their settings (compaction where it belongs), and refuses
   * to publish to an existing topic that should be compacted and is not: on such a topic
   * a subject's earlier states would outlive the tombstone that follows its erasure, and
   * consumers reading it from the start would see states of erased subjects again (as
   * Kafka Connect refuses a config topic without `cleanup.policy=compact`).
   */
  async ensureTopics(): Promise<void> {
    const admin: Admin = this.o.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const compacted = Object.values(this.o.topics).filter((t) => t.compacted && existing.has(t.name));
      if (compacted.length > 0) {
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: compacted.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.name, configNames: ['cleanup.policy'] })),
        });
        for (const r of described.resources) {
          const policy = r.configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue ?? 'delete';
          if (!policy.split(',').includes('compact')) {
            throw new TopicMisconfiguredError(`topic ${r.resourceName} exists with cleanup.policy=${policy}; the contract needs compaction `
              + `(docs/asyncapi.yaml): set cleanup.policy=compact on it, or name another topic`);
          }
        }
      }
      const missing = Object.values(this.o.topics).filter((t) => !existing.has(t.name));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: this.o.replicationFactor ?? 1,
            configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
          })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Publishes everything after the checkpoint; returns the events relayed. Pipelined:
   * the next batch is read and mapped while the current one is in flight; batches are
   * still sent one after another, and the checkpoint follows each acknowledgement.
   */
  async catchUp(): Promise<number> {
    let after = await this.o.checkpoint.load();
    if (!(await holdsCheckpoint(this.o.store, after, await this.o.checkpoint.eventId()))) {
      throw new CheckpointNotInStoreError('Kafka relay', after, await this.o.store.headPosition(),
        'Restore relay.db from the same backup as the events, or delete it to publish every event again.');
    }
    await this.connect();
    this.position = after;
    let relayed = 0;
    let page = await this.read(after);
    let prepared = await this.prepare(page);
    while (page.length > 0) {
      const sending = this.send(prepared);
      // let kafkajs encode the request and hand it to the socket before the next batch is
      // prepared, so the broker works on this one meanwhile
      await new Promise((resolve) => setImmediate(resolve));
      after = page.at(-1)!.position;
      let nextPage: RecordedEvent[];
      let nextPrepared: Prepared;
      try {
        nextPage = await this.read(after);
        nextPrepared = await this.prepare(nextPage);
      } finally {
        await sending; // a failed send surfaces here, before the checkpoint moves
      }
      // only now: the broker has every message of this batch
      this.position = after;
      await this.o.checkpoint.save(after, page.at(-1)!.eventId);
      relayed += page.length;
      page = nextPage;
      prepared = nextPrepared;
    }
    return relayed;
  }

  private read(after: bigint): Promise<RecordedEvent[]> {
    return this.o.store.readAll({ after, maxCount: this.o.batchSize ?? 500 });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }

  private async connect(): Promise<RelayProducer> {
    if (!this.producer) {
      // One batch in flight at a time (the relay awaits each before sending the next), so
      // retries cannot reorder a subject's messages even without the idempotent producer.
      const config: ProducerConfig = {
        allowAutoTopicCreation: false,
        ...(this.o.idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {}),
      };
      const producer = this.o.producer ? this.o.producer(config) : this.o.kafka.producer(config);
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
    }
    return this.producer;
  }

  /**
   * Maps a page to messages per topic (no I/O but the occasional stream read for state).
   * Every event goes to its concern topic; the compacted subject-state topic gets one
   * message per subject per batch — the state after the subject's last event in it —
   * since compaction keeps only the latest per key anyway (docs/asyncapi.yaml, contract
   * 1.1.0). A catch-up over history where a subject's events sit close together sends far
   * fewer messages (docs/benchmarks.md).
   */
  private async prepare(events: readonly RecordedEvent[]): Promise<Prepared> {
    const byTopic: Prepared = new Map();
    const add = (m: OutgoingMessage) => {
      const name = this.o.topics[m.topic].name;
      const list = byTopic.get(name) ?? [];
      list.push({ key: m.key, value: m.value, headers: m.headers });
      byTopic.set(name, list);
    };
    const latest = new Map<string, { event: RecordedEvent; state: SubjectState }>();
    for (const e of events) {
      const domain = toDomainEvent(e.type, e.metadata.schemaVersion, e.data);
      for (const m of integrationEvents(e, domain)) add(m);
      if (e.streamId.startsWith(SUBJECT_STREAM_PREFIX)) {
        latest.set(e.streamId, { event: e, state: await this.stateAfter(e, domain as SubjectEvent) });
      }
    }
    for (const { event, state } of latest.values()) {
      const m = subjectStateMessage(event, state);
      if (m) add(m);
    }
    return byTopic;
  }

  private async send(byTopic: Prepared): Promise<void> {
    if (byTopic.size === 0) return;
    const producer = await this.connect();
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  /** The subject's state right after `e`, folded incrementally; re-read from the store on a gap. */
  private async stateAfter(e: RecordedEvent, domain: SubjectEvent): Promise<SubjectState> {
    const cached = this.states.get(e.streamId);
    let state: SubjectState;
    if (cached && cached.revision + 1n === e.revision) {
      state = this.o.decider.evolve(cached.state, domain);
    } else if (e.revision === 0n) {
      state = this.o.decider.evolve(this.o.decider.initialState, domain); // a new subject: nothing to read
    } else {
      const stream = await this.o.store.readStream(e.streamId, { maxCount: Number(e.revision) + 1 });
      state = fold(this.o.decider, stream.map((x) => toDomainEvent(x.type, x.metadata.schemaVersion, x.data) as SubjectEvent));
    }
    if (this.states.size > 50_000) this.states.clear();
    this.states.set(e.streamId, { state, revision: e.revision });
    return state;
  }
}
