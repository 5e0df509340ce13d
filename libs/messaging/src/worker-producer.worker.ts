/**
 * The producer thread of `WorkerProducer`: one kafkajs producer, driven by messages from
 * the relay's thread. It owns no state of the relay; it only sends what it is given.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel, type KafkaConfig, type ProducerBatch, type ProducerConfig } from 'kafkajs';

type Request = { readonly id: number } & ({ readonly op: 'connect' | 'disconnect' } | { readonly op: 'send'; readonly batch: ProducerBatch });

const { kafka, producer } = workerData as { kafka: KafkaConfig; producer: ProducerConfig };
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
