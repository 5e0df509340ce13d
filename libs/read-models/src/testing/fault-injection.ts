import type { ReadModelDatabase } from '../database';

/**
 * Fault injection at the driver: `hook` runs before every statement the read-model
 * database executes, inside or outside transactions, and may throw to kill the work.
 */
export function patchStatements(rm: ReadModelDatabase, hook: () => void): () => void {
  const executor = (rm.db as unknown as { getExecutor(): { provideConnection: (c: (conn: any) => Promise<unknown>) => Promise<unknown> } }).getExecutor();
  const provide = executor.provideConnection.bind(executor);
  executor.provideConnection = (consumer) =>
    provide((conn: { executeQuery: (q: unknown) => Promise<unknown> }) => {
      const execute = conn.executeQuery.bind(conn);
      const wrapped = Object.create(conn);
      wrapped.executeQuery = (q: unknown) => {
        hook();
        return execute(q);
      };
      return consumer(wrapped);
    });
  return () => {
    executor.provideConnection = provide;
  };
}
