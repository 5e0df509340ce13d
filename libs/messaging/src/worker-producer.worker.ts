/**
 * The producer thread of `WorkerProducer`: one kafkajs producer, driven by messages from
 * the relay's thread. It owns no state of the relay; it only sends what it is given.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KafkaConfig, ProducerBatch, ProducerConfig } from 'kafkajs';
import { installRecordEncoder } from './kafkajs-record-encoder';
import type { RecordEncoderChoice } from './worker-producer';

const { kafka, producer, encoder } = workerData as { kafka: KafkaConfig; producer: ProducerConfig; encoder: RecordEncoderChoice };
// before kafkajs loads its produce request: records encoded into one buffer each
if (encoder === 'single-buffer') installRecordEncoder();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');

type Request = { readonly id: number } & ({ readonly op: 'connect' | 'disconnect' } | { readonly op: 'send'; readonly batch: ProducerBatch });

const p = new Kafka({ logLevel: logLevel.NOTHING, ...kafka }).producer(producer);

parentPort!.on('message', async (m: Request) => {
  try {
    if (m.op === 'send') await p.sendBatch(m.batch);
    else if (m.op === 'connect') await p.connect();
    else await p.disconnect();
    parentPort!.postMessage({ id: m.id });
  } catch (error) {
    // name and message only: kafkajs errors carry no message content
    parentPort!.postMessage({ id: m.id, error: { name: (error as Error).name, message: (error as Error).message } });
  }
});
