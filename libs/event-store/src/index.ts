/**
 * @ledger/event-store — the EventStore port, its adapters and the per-stream hash chain.
 * The contract suite every adapter passes lives in ./testing.
 */
export * from './event-store.port';
export * from './hash-chain';
export * from './sqlite/sqlite-event-store';
export * from './checkpoint-guard';
export * from './verify-store';
