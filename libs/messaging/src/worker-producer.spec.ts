import { WorkerProducer } from './worker-producer';

// Nothing listens on port 1: the thread's kafkajs producer fails as it would against a lost broker.
// Delivery through the thread is tested on a real broker (relay-faults, relay-kill, the e2e suite).
const unreachable = { clientId: 'worker-producer-test', brokers: ['127.0.0.1:1'], connectionTimeout: 200 };
const threadOf = (p: WorkerProducer) => (p as unknown as { worker: unknown }).worker;

describe('WorkerProducer (a kafkajs producer in a worker thread)', () => {
  it('hands back the broker error by name, and disconnect ends the thread', async () => {
    const producer = new WorkerProducer({ ...unreachable, retry: { retries: 0 } });
    const failure = await producer.connect().then(() => null, (e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure!.name).toMatch(/^KafkaJS/);
    expect(threadOf(producer)).not.toBeNull();
    await producer.disconnect();
    expect(threadOf(producer)).toBeNull();
  }, 20_000);

  it('rejects what is in flight when the thread dies, and starts a new thread on the next call', async () => {
    const producer = new WorkerProducer({ ...unreachable, retry: { retries: 50, initialRetryTime: 100 } });
    const pending = producer.connect();
    const thread = threadOf(producer) as { terminate(): Promise<number> };
    await thread.terminate();
    await expect(pending).rejects.toMatchObject({ name: 'ProducerThreadExit' });
    expect(threadOf(producer)).toBeNull();
    const again = producer.connect().catch(() => undefined);
    expect(threadOf(producer)).not.toBeNull();
    expect(threadOf(producer)).not.toBe(thread);
    await (threadOf(producer) as { terminate(): Promise<number> }).terminate();
    await again;
  }, 20_000);
});
