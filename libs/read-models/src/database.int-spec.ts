import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Client } from 'pg';
import { openReadModelDatabase, readModelsGone, ReadModelsFromNewerBuildError } from './database';
import { readModelTargets } from './testing/targets';

describe('read-model database on SQLite', () => {
  it('migrates once when several processes open an empty file at the same instant (API and projector starting together)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-rm-migrate-'));
    try {
      for (let round = 0; round < 3; round++) {
        const filename = join(dir, `round-${round}.db`);
        const at = Date.now() + 3000;
        const script = `const { openReadModelDatabase } = require(${JSON.stringify(join(__dirname, 'database.ts'))});
          (async () => {
            const rm = openReadModelDatabase({ kind: 'sqlite', filename: ${JSON.stringify(filename)} });
            while (Date.now() < ${at});
            await rm.migrate();
            await rm.close();
          })().catch((e) => { console.error(e.message); process.exit(1); });`;
        const run = () => promisify(execFile)(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: join(__dirname, '../../..') });
        const results = await Promise.allSettled(Array.from({ length: 6 }, run));
        expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason.stderr))).toEqual([]);
        const rm = openReadModelDatabase({ kind: 'sqlite', filename });
        const migrations = await rm.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
        await rm.migrate(); // nothing left to do
        expect(migrations.length).toBeGreaterThan(0);
        await rm.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

const url = process.env.LEDGER_TEST_DATABASE_URL;
if (!url && process.env.CI) throw new Error('CI must run the read-model suites on PostgreSQL: set LEDGER_TEST_DATABASE_URL (scripts/postgres.sh start)');
if (!url) console.warn('read-model database on PostgreSQL: SKIPPED (LEDGER_TEST_DATABASE_URL is not set)');

(url ? describe : describe.skip)('read-model database on PostgreSQL', () => {
  it('outlives the server closing an idle pooled connection (restart, failover, pg_terminate_backend), and reconnects', async () => {
    const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const heard: (Error & { code?: string })[] = [];
    const rm = openReadModelDatabase({ kind: 'postgres', url: url!, schema, poolSize: 1, onConnectionError: (e) => heard.push(e) });
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      await rm.migrate();
      const pidOf = async () => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(rm.db)).rows[0]!.pid;
      const first = await pidOf(); // the pool's one connection, idle from here on

      const terminated = await admin.query('SELECT pg_terminate_backend($1) AS ok', [first]);
      expect(terminated.rows[0].ok).toBe(true);
      for (let i = 0; heard.length === 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 50));

      // Without a listener the pool's 'error' event threw, and took the process with it.
      expect(heard.map((e) => e.code)).toEqual(['57P01']); // admin_shutdown
      const second = await pidOf();
      expect(second).not.toBe(first);
      expect(await rm.db.selectFrom('rm_subjects').selectAll().execute()).toEqual([]);
    } finally {
      await rm.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});

// Rolling upgrades (docs/operations.md): an older build opening read models a newer build
// migrated says so, by migration name, instead of Kysely's "corrupted migrations".
describe.each(readModelTargets().map((t) => [t.name, t] as const))('read models migrated by a newer build, on %s', (_, target) => {
  it('refuses to open them, naming the migration it does not know and what to do', async () => {
    const rm = await target.open();
    try {
      await rm.db.insertInto('kysely_migration' as never).values({ name: '999_from_a_newer_build', timestamp: '2026-11-28T00:00:00.000Z' } as never).execute();
      const error = await rm.migrate().catch((e: unknown) => e as ReadModelsFromNewerBuildError);
      expect(error).toBeInstanceOf(ReadModelsFromNewerBuildError);
      expect(error!.migration).toBe('999_from_a_newer_build');
      expect(error!.message).toMatch(/^the read models were migrated by a newer build \(migration 999_from_a_newer_build is unknown to this one\): run that build; .*rebuild-read-models/);
    } finally {
      await rm.close();
    }
  });
});

describe.each(readModelTargets().map((t) => [t.name, t] as const))('readModelsGone on %s', (_name, target) => {
  it('says so of a query whose tables were dropped, and of nothing else the engine raises', async () => {
    const rm = await target.open();
    try {
      const failure = (query: Promise<unknown>) => query.then(() => null, (error: unknown) => error);
      // a mistake in a query is not a generation gone
      expect(readModelsGone(await failure(sql`SELECT no_such_column FROM rm_subjects`.execute(rm.db)))).toBe(false);
      expect(readModelsGone(await failure(sql`SELEKT 1`.execute(rm.db)))).toBe(false);
      expect(readModelsGone(new Error('no such table: rm_subjects'))).toBe(false); // by shape, not by words alone
      if (rm.kind === 'postgres') await sql`DROP SCHEMA ${sql.id((rm.location as { schema: string }).schema)} CASCADE`.execute(rm.db);
      else await sql`DROP TABLE rm_subjects`.execute(rm.db);
      const gone = await failure(rm.db.selectFrom('rm_subjects').selectAll().execute());
      expect(gone).not.toBeNull();
      expect(readModelsGone(gone)).toBe(true);
    } finally {
      await rm.close();
    }
  });
});
