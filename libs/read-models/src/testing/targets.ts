import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReadModelDatabase, type ReadModelDatabase } from '../database';
import { PRIMARY_KEYS, PROJECTED_TABLES } from '../schema';

export interface ReadModelTarget {
  readonly name: string;
  /** a fresh, migrated, empty set of read-model tables */
  open(): Promise<ReadModelDatabase>;
}

/**
 * Where the read-model suites run: always SQLite; PostgreSQL when
 * LEDGER_TEST_DATABASE_URL points at one (`.ci/run` starts it with scripts/postgres.sh).
 * In CI a missing PostgreSQL is an error, not a skip.
 */
export function readModelTargets(): ReadModelTarget[] {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-rm-'));
  const targets: ReadModelTarget[] = [{
    name: 'sqlite',
    open: async () => {
      const rm = openReadModelDatabase({ kind: 'sqlite', filename: join(dir, `${randomUUID()}.db`) });
      await rm.migrate();
      return rm;
    },
  }];
  const url = process.env.LEDGER_TEST_DATABASE_URL;
  if (url) {
    targets.push({
      name: 'postgresql',
      open: async () => {
        const rm = openReadModelDatabase({ kind: 'postgres', url, schema: `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`, poolSize: 4 });
        await rm.migrate();
        return rm;
      },
    });
  } else if (process.env.CI) {
    throw new Error('CI must run the read-model suites on PostgreSQL: set LEDGER_TEST_DATABASE_URL (scripts/postgres.sh start)');
  } else {
    console.warn('read-model suites: PostgreSQL SKIPPED (LEDGER_TEST_DATABASE_URL is not set; `scripts/postgres.sh start` prints one)');
  }
  return targets;
}

/** Every projected table, rows sorted by key and values normalised, for row-by-row comparison. */
export async function dumpTables(rm: ReadModelDatabase): Promise<Record<string, Record<string, string | null>[]>> {
  const out: Record<string, Record<string, string | null>[]> = {};
  for (const table of PROJECTED_TABLES) {
    const rows = await (rm.db as any).selectFrom(table).selectAll().execute();
    const normal = rows.map((r: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v === null ? null : String(v)])));
    const key = (r: Record<string, string | null>) => (PRIMARY_KEYS[table] as readonly string[]).map((c) => r[c]).join('\u0000');
    out[table] = normal.sort((a: Record<string, string | null>, b: Record<string, string | null>) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return out;
}
