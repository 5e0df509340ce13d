/**
 * A relay in its own process, for the kill test: relays everything after its checkpoint.
 *   node -r @swc-node/register relay-process.ts <events.db> <relay.db> <brokers> <topic prefix>
 */
import { Kafka, logLevel } from 'kafkajs';
import { createSubjectDecider, WorkingDayCalendar } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { defaultTopics } from '../contract';
import { Relay, SqliteRelayCheckpoint } from '../relay';
import { WorkerProducer } from '../worker-producer';

async function main() {
  const [storeFile, checkpointFile, brokers, prefix] = process.argv.slice(2) as [string, string, string, string];
  const store = new SqliteEventStore({ filename: storeFile, clock: () => new Date() });
  const checkpoint = new SqliteRelayCheckpoint(checkpointFile);
  const kafkaConfig = { clientId: 'relay-process', brokers: brokers.split(',') };
  const kafka = new Kafka({ ...kafkaConfig, logLevel: logLevel.NOTHING });
  // as the service runs it: the producer in a thread of its own
  const relay = new Relay({
    kafka, topics: defaultTopics(prefix, 3), store, checkpoint, decider: createSubjectDecider(new WorkingDayCalendar()), batchSize: 100,
    producer: (config) => new WorkerProducer(kafkaConfig, config),
  });
  await relay.ensureTopics();
  await relay.catchUp();
  await relay.close();
  await checkpoint.close();
  await store.close();
}

void main();
