/**
 * A projector in its own process, for the crash test: it catches up from the stored
 * checkpoint and, if told to, kills itself with SIGKILL just before its N-th statement —
 * no JavaScript cleanup, no rollback but the database engine's own.
 *
 *   node -r @swc-node/register projector-process.ts <events.db> <sqlite file | postgres url> [schema] <batchSize> <killAfter>
 */
import { SqliteEventStore } from '@ledger/event-store';
import { openReadModelDatabase } from '../database';
import { Projector } from '../projector';
import { patchStatements } from './fault-injection';

async function main() {
  const [storeFile, target, schema, batchSize, killAfter] = process.argv.slice(2) as [string, string, string, string, string];
  const clock = () => new Date('2026-11-25T06:00:00Z');
  const store = new SqliteEventStore({ filename: storeFile, clock });
  const rm = target.startsWith('postgres')
    ? openReadModelDatabase({ kind: 'postgres', url: target, schema, poolSize: 1 })
    : openReadModelDatabase({ kind: 'sqlite', filename: target });
  let statements = 0;
  patchStatements(rm, () => {
    if (++statements === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
  });
  await new Projector(store, rm, { clock, batchSize: Number(batchSize) }).catchUp();
  await rm.close();
  await store.close();
}

void main();
