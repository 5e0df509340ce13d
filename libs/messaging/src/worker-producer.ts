import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { KafkaConfig, Message, ProducerBatch, ProducerConfig, TopicMessages } from 'kafkajs';

/** What the relay needs of a producer. */
export interface RelayProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(batch: ProducerBatch): Promise<unknown>;
}

type Pending = { resolve: () => void; reject: (error: Error) => void };
export type RecordEncoderChoice = 'single-buffer' | 'kafkajs';

/**
 * kafkajs producers in worker threads (two by default). Encoding Kafka requests is most
 * of the relay's CPU (docs/benchmarks.md); in threads of their own it overlaps with
 * reading and mapping the next batch, and two threads encode one batch in halves.
 * Each batch is split by message key, so all of a subject's messages in it travel through
 * the same thread, in order; the batch is acknowledged when every part is, and fails if
 * any part fails (the relay then sends the whole batch again: at least once, as always).
 * Batches cross the thread boundary by structured clone, so `kafka` must hold plain
 * options only (brokers, client id, ssl, sasl with static credentials) — no functions.
 * The threads encode records with `encodeRecord` (kafkajs-record-encoder.ts: kafkajs's
 * bytes, one buffer a record); `encoder: 'kafkajs'` keeps kafkajs's own, for comparison.
 */
export class WorkerProducer implements RelayProducer {
  private readonly threads: ProducerThread[];

  constructor(kafka: KafkaConfig, producer: ProducerConfig = {}, threads = 2, encoder: RecordEncoderChoice = 'single-buffer') {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError('threads must be a positive integer');
    this.threads = Array.from({ length: threads }, () => new ProducerThread(kafka, producer, encoder));
  }

  async connect(): Promise<void> {
    await settle(this.threads.map((t) => t.connect()));
  }

  async sendBatch(batch: ProducerBatch): Promise<void> {
    if (this.threads.length === 1) return this.threads[0]!.sendBatch(batch);
    await settle(splitByKey(batch, this.threads.length).map((part, i) => part && this.threads[i]!.sendBatch(part)));
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.disconnect()));
  }
}

/** Waits for every part (none left running behind the caller's back), then fails with the first failure. */
async function settle(parts: readonly (Promise<void> | null)[]): Promise<void> {
  const failed = (await Promise.allSettled(parts)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * A batch in `parts` parts by message key (FNV-1a): a key's messages all land in one part,
 * in their order; null where a part got nothing.
 */
export function splitByKey(batch: ProducerBatch, parts: number): (ProducerBatch | null)[] {
  const split = Array.from({ length: parts }, (): TopicMessages[] => []);
  for (const { topic, messages } of batch.topicMessages ?? []) {
    const byPart = Array.from({ length: parts }, (): Message[] => []);
    for (const m of messages) byPart[shardOf(m.key, parts)]!.push(m);
    byPart.forEach((list, i) => list.length > 0 && split[i]!.push({ topic, messages: list }));
  }
  return split.map((topicMessages) => (topicMessages.length > 0 ? { ...batch, topicMessages } : null));
}

/** FNV-1a of the key: the same key always goes to the same part. */
function shardOf(key: Message['key'], threads: number): number {
  const text = key == null ? '' : typeof key === 'string' ? key : key.toString('latin1');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % threads;
}

/** One kafkajs producer in one worker thread (worker-producer.worker.ts). */
class ProducerThread implements RelayProducer {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;

  constructor(private readonly kafka: KafkaConfig, private readonly producer: ProducerConfig, private readonly encoder: RecordEncoderChoice) {}

  connect(): Promise<void> {
    return this.call({ op: 'connect' });
  }

  sendBatch(batch: ProducerBatch): Promise<void> {
    return this.call({ op: 'send', batch });
  }

  async disconnect(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.call({ op: 'disconnect' }).catch(() => undefined);
    this.worker = null;
    await worker.terminate();
  }

  private call(request: { op: 'connect' | 'disconnect' } | { op: 'send'; batch: ProducerBatch }): Promise<void> {
    const worker = this.worker ?? this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private start(): Worker {
    // From TypeScript sources (tests) the thread needs the same on-the-fly compiler as the caller.
    const ts = __filename.endsWith('.ts');
    const worker = new Worker(join(__dirname, `worker-producer.worker.${ts ? 'ts' : 'js'}`), {
      workerData: { kafka: this.kafka, producer: this.producer, encoder: this.encoder },
      execArgv: ts ? ['-r', '@swc-node/register'] : [],
    });
    worker.on('message', (m: { id: number; error?: { name: string; message: string } }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
      else p?.resolve();
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(Object.assign(new Error(`producer thread exited (${code})`), { name: 'ProducerThreadExit' })));
    this.worker = worker;
    return worker;
  }
}
