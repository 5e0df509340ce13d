import type { Message } from 'kafkajs';
import { splitByKey, WorkerProducer } from './worker-producer';

// Nothing listens on port 1: the thread's kafkajs producer fails as it would against a lost broker.
// Delivery through the thread is tested on a real broker (relay-faults, relay-kill, the e2e suite).
const unreachable = { clientId: 'worker-producer-test', brokers: ['127.0.0.1:1'], connectionTimeout: 200 };
const threadsOf = (p: WorkerProducer) => (p as unknown as { threads: { worker: unknown }[] }).threads;
const threadOf = (p: WorkerProducer) => threadsOf(p)[0]!.worker;

describe('WorkerProducer (a kafkajs producer in a worker thread)', () => {
  it('hands back the broker error by name, and disconnect ends the thread', async () => {
    const producer = new WorkerProducer({ ...unreachable, retry: { retries: 0 } });
    const failure = await producer.connect().then(() => null, (e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure!.name).toMatch(/^KafkaJS/);
    expect(threadsOf(producer).map((t) => t.worker !== null)).toEqual([true, true]); // two threads by default
    await producer.disconnect();
    expect(threadsOf(producer).map((t) => t.worker)).toEqual([null, null]);
  }, 20_000);

  it('rejects what is in flight when the thread dies, and starts a new thread on the next call', async () => {
    const producer = new WorkerProducer({ ...unreachable, retry: { retries: 50, initialRetryTime: 100 } }, {}, 1);
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

describe('splitByKey (how WorkerProducer shares a batch between its threads)', () => {
  const message = (key: string, i: number): Message => ({ key, value: `${key}#${i}`, headers: { ce_id: `${key}-${i}` } });
  const batch = {
    acks: -1,
    topicMessages: [
      { topic: 'a', messages: Array.from({ length: 200 }, (_, i) => message(`s${i % 40}`, i)) },
      { topic: 'b', messages: Array.from({ length: 40 }, (_, i) => message(`s${i}`, i)) },
    ],
  };

  it('keeps every message, each key in one part in its order, and the batch settings', () => {
    const parts = splitByKey(batch, 2);
    expect(parts.every((p) => p !== null && p.acks === -1)).toBe(true);
    for (const topic of ['a', 'b']) {
      const original = batch.topicMessages.find((t) => t.topic === topic)!.messages;
      const inParts = parts.map((p) => p!.topicMessages!.find((t) => t.topic === topic)?.messages ?? []);
      expect(inParts.flat().map((m) => m.value).sort()).toEqual(original.map((m) => m.value).sort());
      for (const key of new Set(original.map((m) => String(m.key)))) {
        const holding = inParts.filter((list) => list.some((m) => m.key === key));
        expect(holding).toHaveLength(1); // one part has all of the key's messages ...
        expect(holding[0]!.filter((m) => m.key === key).map((m) => m.value)) // ... in order
          .toEqual(original.filter((m) => m.key === key).map((m) => m.value));
      }
    }
    // the same key goes to the same part in every topic, and the parts share the load
    const partOf = (topic: string, key: string) => parts.findIndex((p) => p!.topicMessages!.some((t) => t.topic === topic && t.messages.some((m) => m.key === key)));
    for (let i = 0; i < 40; i++) expect(partOf('a', `s${i}`)).toBe(partOf('b', `s${i}`));
    const sizes = parts.map((p) => p!.topicMessages!.reduce((n, t) => n + t.messages.length, 0));
    expect(Math.min(...sizes)).toBeGreaterThan(240 / 4);
  });

  it('leaves a part empty (null) when no key falls to it', () => {
    const one = { topicMessages: [{ topic: 'a', messages: [message('s1', 0), message('s1', 1)] }] };
    const parts = splitByKey(one, 3);
    expect(parts.filter((p) => p !== null)).toHaveLength(1);
    expect(parts.find((p) => p !== null)!.topicMessages![0]!.messages).toHaveLength(2);
  });
});
