/**
 * @ledger/read-models — projections of the event store into SQL read models (SQLite or
 * PostgreSQL through Kysely), their checkpoints and migrations, and the queries.
 */
export * from './schema';
export * from './migrations';
export * from './database';
export * from './row-writer';
export * from './projection';
export * from './projector';
export * from './queries';
export * from './generations';
