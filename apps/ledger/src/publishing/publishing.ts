import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { DomainError, isOpaqueId, type Decider, type SubjectCommand, type SubjectEvent, type SubjectState } from '@ledger/domain';
import { CheckpointNotInStoreError, EVENT_STORE, type EventStore } from '@ledger/event-store';
import { defaultTopics, Relay, SqliteRelayCheckpoint, TopicMisconfiguredError, WorkerProducer, type Topics } from '@ledger/messaging';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger.config';
import { sleep } from '../infrastructure/sleep';
import { systemCommandContext } from '../http/command-context';
import { isErasureSystem, LEDGER_ID_PATTERN } from '../http/validators';
import { SUBJECT_DECIDER } from '../infrastructure/infrastructure.module';
import { ROOT_LOGGER } from '../infrastructure/logger';
import { SubjectCommands } from '../subjects/subject-commands';

/** Waits `ms`, or less if `signal` aborts first (shutdown must not wait out a back-off). */

/**
 * What the relay loop does after a failure. Broker trouble (kafkajs's errors, a producer
 * thread lost with its connection) is routine: retried each second, a warning. A topic
 * that must be compacted and is not waits for an operator. Anything else — an event this
 * build cannot read, the store failing — is not the broker's: raised as an error, so that
 * it is not mistaken for an outage, and retried every 5 s. Only error names are logged.
 */
export function afterRelayFailure(error: unknown): { readonly level: 'warn' | 'error'; readonly message: string; readonly retryMs: number } {
  if (error instanceof TopicMisconfiguredError) return { level: 'error', message: `relay: ${error.message}; checking again in 30 s`, retryMs: 30_000 };
  // positions only in its message; it takes an operator, so no hurry to look again
  if (error instanceof CheckpointNotInStoreError) return { level: 'error', message: `relay: ${error.message}; checking again in 30 s`, retryMs: 30_000 };
  const name = error instanceof Error ? error.name : typeof error;
  if (name.startsWith('KafkaJS') || name === 'ProducerThreadExit') return { level: 'warn', message: 'relay: broker unavailable; retrying in 1 s', retryMs: 1000 };
  return { level: 'error', message: 'relay: stopped by a failure that is not the broker\'s; nothing past the checkpoint is published; retrying in 5 s', retryMs: 5000 };
}

/**
 * Kafka publishing (LEDGER_ROLES includes `publisher`, KAFKA_BROKERS set): the relay
 * follows the store from its own checkpoint (`relay.db` in the data directory) and the
 * acknowledgements consumer turns downstream confirmations into events. Off without
 * KAFKA_BROKERS; turned on later, the relay catches up from the first event.
 */
@Injectable()
export class PublishingWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private relay: Relay | null = null;
  private consumer: Consumer | null = null;
  private checkpoint: SqliteRelayCheckpoint | null = null;
  readonly topics: Topics | null;

  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SUBJECT_DECIDER) private readonly decider: Decider<SubjectCommand, SubjectEvent, SubjectState>,
    private readonly subjects: SubjectCommands,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.topics = config.kafka ? defaultTopics(config.kafka.topicPrefix, config.kafka.partitions) : null;
  }

  get lastPosition(): bigint {
    return this.relay?.lastPosition ?? 0n;
  }

  async onApplicationBootstrap(): Promise<void> {
    const k = this.config.kafka;
    if (!k || !this.topics || !this.config.processRoles.has('publisher')) return;
    const kafkaConfig = { clientId: 'privacy-ledger', brokers: [...k.brokers] };
    const kafka = new Kafka({ ...kafkaConfig, logLevel: logLevel.NOTHING });
    this.checkpoint = new SqliteRelayCheckpoint(join(this.config.dataDir, 'relay.db'));
    this.relay = new Relay({
      kafka, topics: this.topics, store: this.store, checkpoint: this.checkpoint, decider: this.decider, replicationFactor: k.replicationFactor,
      // the producer encodes in threads of its own, overlapping with the relay's mapping
      producer: (config) => new WorkerProducer(kafkaConfig, config, k.producerThreads),
    });
    this.loop = this.publish();
    this.consumer = kafka.consumer({ groupId: `${k.topicPrefix}-ledger-acknowledgements` });
    void this.consume(this.consumer, this.topics.acknowledgements.name);
  }

  /** Relays until shutdown; after a broker loss it waits and goes on from the checkpoint. */
  private async publish(): Promise<void> {
    let topicsReady = false;
    while (!this.abort.signal.aborted) {
      try {
        if (!topicsReady) {
          await this.relay!.ensureTopics();
          topicsReady = true;
        }
        if ((await this.relay!.catchUp()) === 0) await sleep(100);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        await this.relay!.close().catch(() => undefined);
        // the error's name only: a message may quote what it failed on
        const next = afterRelayFailure(error);
        this.logger[next.level]({ err: { name: (error as Error).name } }, next.message);
        await sleep(next.retryMs, this.abort.signal);
      }
    }
  }

  private async consume(consumer: Consumer, topic: string): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => this.acknowledge(message.value) });
        return;
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.logger.warn({ err: { name: (error as Error).name } }, 'acknowledgements consumer: broker unavailable; retrying in 1 s');
        await sleep(1000);
      }
    }
  }

  /** One acknowledgement; malformed or refused ones are logged (never their content) and skipped. */
  private async acknowledge(value: Buffer | null): Promise<void> {
    let ack: unknown;
    try {
      ack = JSON.parse(String(value ?? ''));
    } catch {
      this.logger.warn('acknowledgement skipped: not JSON');
      return;
    }
    // `?? {}`: a message of JSON `null` would otherwise throw here, be redelivered, and stop
    // the partition behind it for good; any other non-object lacks the fields below
    const { subjectId, erasureId, system } = (ack ?? {}) as { subjectId?: unknown; erasureId?: unknown; system?: unknown };
    if (!isOpaqueId(subjectId) || typeof erasureId !== 'string' || !LEDGER_ID_PATTERN.test(erasureId) || !isErasureSystem(system)) {
      this.logger.warn('acknowledgement skipped: does not match the contract');
      return;
    }
    // the same confirmation delivered twice is recorded once
    const ctx = systemCommandContext('kafka-acknowledgements', `kafka-ack:${erasureId}:${system}`, {
      route: 'kafka:acknowledgements', params: { subjectId }, body: { erasureId, system },
    });
    try {
      await this.subjects.run(subjectId, ctx, (now) => ({ type: 'AcknowledgeErasure', now, data: { erasureId, system } }));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn({ code: error.code, erasureId }, 'acknowledgement refused');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.relay?.close().catch(() => undefined);
    await this.checkpoint?.close();
  }
}
