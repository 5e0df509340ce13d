import type { ReadModelDatabase } from '../database';

/**
 * Fault injection at the driver: `hook` runs before every statement the read-model
 * database executes, inside or outside transactions, with its SQL. It may throw to kill
 * the work, or return a promise the statement waits for (to let another connection
 * commit in between). Returns a function that removes the hook.
 */
export function patchStatements(rm: ReadModelDatabase, hook: (sql: string) => void | Promise<void>): () => void {
  const executor = (rm.db as unknown as { getExecutor(): { provideConnection: (c: (conn: any) => Promise<unknown>) => Promise<unknown> } }).getExecutor();
  const provide = executor.provideConnection.bind(executor);
  executor.provideConnection = (consumer) =>
    provide((conn: { executeQuery: (q: { sql: string }) => Promise<unknown> }) => {
      const execute = conn.executeQuery.bind(conn);
      const wrapped = Object.create(conn);
      wrapped.executeQuery = (q: { sql: string }) => {
        const waiting = hook(q.sql);
        return waiting ? waiting.then(() => execute(q)) : execute(q);
      };
      return consumer(wrapped);
    });
  return () => {
    executor.provideConnection = provide;
  };
}
