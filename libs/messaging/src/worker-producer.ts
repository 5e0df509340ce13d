import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { KafkaConfig, ProducerBatch, ProducerConfig } from 'kafkajs';

/** What the relay needs of a producer. */
export interface RelayProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(batch: ProducerBatch): Promise<unknown>;
}

type Pending = { resolve: () => void; reject: (error: Error) => void };

/**
 * A kafkajs producer in a worker thread. Encoding Kafka requests is most of the relay's
 * CPU (docs/benchmarks.md); in a thread of its own it overlaps with reading and mapping
 * the next batch instead of alternating with it. Batches cross the thread boundary by
 * structured clone, so `kafka` must hold plain options only (brokers, client id, ssl,
 * sasl with static credentials) — no functions.
 */
export class WorkerProducer implements RelayProducer {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;

  constructor(private readonly kafka: KafkaConfig, private readonly producer: ProducerConfig = {}) {}

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
      workerData: { kafka: this.kafka, producer: this.producer },
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
