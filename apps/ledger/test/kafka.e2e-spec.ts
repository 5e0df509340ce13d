import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ErasureScheduler } from '../src/erasure/erasure-scheduler';
import { almaty, grantBody, seedReferenceData, startLedger } from './harness';

const brokers = process.env.LEDGER_TEST_KAFKA_BROKERS;
if (!brokers && process.env.CI) throw new Error('CI must run the Kafka suites on a real broker: set LEDGER_TEST_KAFKA_BROKERS');
const maybe = brokers ? describe : describe.skip;
const CANARY = 'canary-kafka-Zp40@example.kz';
/** what a buggy downstream service may put on the acknowledgements topic */
const POISON: (string | Buffer | null)[] = [
  'null', '42', '"crm"', '[]', '{}', '{"subjectId":null}', 'not json', Buffer.from([0xff, 0xfe, 0x00]), null,
  JSON.stringify({ subjectId: 'kf-1', erasureId: 'not-a-ledger-id', system: 'crm' }),
];

maybe('erasure end to end over Kafka', () => {
  it('withdrawal → erasure started on the topic → downstream acknowledges on Kafka → completed → tombstone; no value on any topic', async () => {
    const prefix = `e2e${randomUUID().slice(0, 8)}`;
    const l = await startLedger(almaty('2026-03-02'), {
      KAFKA_BROKERS: brokers!, LEDGER_KAFKA_TOPIC_PREFIX: prefix, LEDGER_KAFKA_PARTITIONS: '1', LEDGER_ERASURE_SYSTEMS: 'crm',
    });
    try {
      await seedReferenceData(l);
      await l.command('service', '/v1/subjects/kf-1/consents', grantBody());
      await l.command('service', '/v1/subjects/kf-1/personal-data', { category: 'email-address', source: 'subject', value: CANARY });
      await l.command('service', '/v1/subjects/kf-1/transfers', {
        recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: almaty('2026-03-02'),
      });
      await l.command('service', '/v1/subjects/kf-1/consent-withdrawals', { purposes: 'all', receivedOn: '2026-03-02' });

      // a downstream service: reads every topic, acknowledges erasures it is asked for
      const kafka = new Kafka({ clientId: 'downstream', brokers: brokers!.split(','), logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      const consumer = kafka.consumer({ groupId: `downstream-${prefix}` });
      await consumer.connect();
      const names = ['consent', 'personal-data', 'transfers', 'erasure', 'subject-state'].map((t) => `${prefix}.${t}.v1`);
      // the relay creates the topics; wait for them before subscribing
      const admin = kafka.admin();
      await admin.connect();
      let present = await admin.listTopics();
      for (let i = 0; !names.every((n) => present.includes(n)); i++) {
        if (i > 200) throw new Error('the relay did not create its topics');
        await new Promise((r) => setTimeout(r, 50));
        present = await admin.listTopics();
      }
      await admin.disconnect();
      await consumer.subscribe({ topics: names, fromBeginning: true });
      const seen: { topic: string; type: string; value: string | null }[] = [];
      let tombstone = false;
      let completed = false;
      await consumer.run({
        eachMessage: async ({ topic, message }) => {
          const type = String(message.headers?.ce_type ?? '');
          const value = message.value ? String(message.value) : null;
          seen.push({ topic, type, value });
          if (type.endsWith('erasure.started.v1')) {
            const started = JSON.parse(value!) as { subjectId: string; erasureId: string; awaiting: string[] };
            // poison first, on the same partition (same key): each is skipped, none stops the valid ones behind it
            await producer.send({
              topic: `${prefix}.erasure-acknowledgements.v1`,
              acks: -1,
              messages: POISON.map((value) => ({ key: started.subjectId, value })),
            });
            await producer.send({
              topic: `${prefix}.erasure-acknowledgements.v1`,
              acks: -1,
              messages: started.awaiting.flatMap((system) => {
                const ack = { key: started.subjectId, value: JSON.stringify({ subjectId: started.subjectId, erasureId: started.erasureId, system }) };
                return [ack, ack]; // delivered twice: recorded once
              }),
            });
          }
          if (type.endsWith('erasure.completed.v1')) completed = true;
          if (topic.endsWith('subject-state.v1') && value === null) tombstone = true;
        },
      });

      // the due date passes; the scheduler decides and shreds
      l.clock.set(almaty('2026-04-18', 0.5));
      await l.settled();
      expect(await l.app.get(ErasureScheduler).tick()).toMatchObject({ started: 1, shredded: 1 });

      for (let i = 0; !(completed && tombstone); i++) {
        if (i > 600) throw new Error(`erasure did not complete over Kafka; seen ${seen.map((s) => s.type).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const events = (await l.app.get<EventStore>(EVENT_STORE).readStream('subject-kf-1')).map((e) => e.type);
      expect(events.filter((t) => t === 'ErasureAcknowledged')).toHaveLength(2); // crm and kz-partner, once each
      expect(events.filter((t) => t === 'ErasureCompleted')).toHaveLength(1);
      expect(seen.some((m) => m.type.endsWith('transfer.recorded.v1'))).toBe(true);
      expect(seen.some((m) => m.type.endsWith('personal-data.category-changed.v1'))).toBe(true);
      expect(JSON.stringify(seen)).not.toContain(CANARY);
      // each poison message skipped with a warning (as often as the erasure was delivered to us)
      const skipped = l.logs().match(/acknowledgement skipped/g)?.length ?? 0;
      expect(skipped).toBeGreaterThan(0);
      expect(skipped % POISON.length).toBe(0);
      await consumer.disconnect();
      await producer.disconnect();
    } finally {
      await l.close();
    }
  }, 90_000);
});
