/**
 * @ledger/messaging — the Kafka contract (integration events, topics, CloudEvents
 * headers) and, next, the relay and the acknowledgement consumer.
 */
export * from './contract';
export * from './relay';
export * from './worker-producer';
