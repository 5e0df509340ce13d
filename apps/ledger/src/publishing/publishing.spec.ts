import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { UnknownEventTypeError } from '@ledger/domain';
import { CheckpointNotInStoreError } from '@ledger/event-store';
import { TopicMisconfiguredError } from '@ledger/messaging';
import { afterRelayFailure } from './publishing';

describe('the relay loop after a failure', () => {
  it('treats kafkajs errors and a lost producer thread as the broker being away: a warning, again in 1 s', () => {
    for (const error of [
      new KafkaJSConnectionError('Connection error'),
      new KafkaJSNumberOfRetriesExceeded(new Error('x'), { retryCount: 5, retryTime: 100 }),
      // as a producer thread hands a kafkajs error back: a plain Error carrying its name
      Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }),
      Object.assign(new Error('producer thread exited (1)'), { name: 'ProducerThreadExit' }),
    ]) expect(afterRelayFailure(error)).toEqual({ level: 'warn', message: 'relay: broker unavailable; retrying in 1 s', retryMs: 1000 });
  });

  it('raises anything else as an error, not as an outage: an event this build cannot read, the store failing', () => {
    for (const error of [new UnknownEventTypeError('FutureEvent'), Object.assign(new Error('database is locked'), { name: 'SqliteError' }), 'thrown string']) {
      expect(afterRelayFailure(error)).toMatchObject({ level: 'error', retryMs: 5000 });
      expect(afterRelayFailure(error).message).not.toContain('broker unavailable');
    }
  });

  it('waits for an operator, naming both positions, when the event store does not hold the relay\'s checkpoint (restored)', () => {
    const r = afterRelayFailure(new CheckpointNotInStoreError('Kafka relay', 120n, 80n, 'Restore relay.db.'));
    expect(r).toMatchObject({ level: 'error', retryMs: 30_000 });
    expect(r.message).toMatch(/position 120.*head is 80/);
  });

  it('waits for an operator when the subject-state topic is not compacted', () => {
    const r = afterRelayFailure(new TopicMisconfiguredError('topic ledger.subject-state.v1 must have cleanup.policy=compact'));
    expect(r).toMatchObject({ level: 'error', retryMs: 30_000 });
  });
});
