/**
 * Projection catch-up throughput against raw batched inserts of the same number of rows
 * into the same database, in the same run, at 10^4, 10^5 and 10^6 events, on SQLite and
 * PostgreSQL. Targets (issue): ≥ 50% of the raw rate; throughput at 10^6 within 20% of
 * throughput at 10^4 (cost per event flat as history grows).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { Client } from 'pg';
import { SqliteEventStore } from '@ledger/event-store';
import { openReadModelDatabase, Projector, PROJECTED_TABLES, type ReadModelDatabase } from '@ledger/read-models';
import { writeHistory } from '../libs/read-models/src/testing/history';
import { cpuSpeed, fmt, machine, median, relativeSpeed, scratch, table } from './support';

const SIZES = (process.env.BENCH_PROJECTION_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const BATCH = 1000;
/** each size is measured again (up to 5 runs) until this much time has gone into it */
const MIN_SECONDS_PER_SIZE = 5;
const clock = () => new Date('2026-11-25T06:00:00Z');

/**
 * The floor: the very rows the projection ended with, inserted by the raw driver into
 * fresh tables of the same schema (same indexes), in transactions of BATCH rows. The
 * projection also reads and parses the events and rewrites rows several events touch,
 * so this is the least work that could produce the same read models.
 */
async function rawSeconds(projected: ReadModelDatabase, fresh: ReadModelDatabase, url: string, schema: string | null, sqliteFile: string | null): Promise<number> {
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const t of PROJECTED_TABLES) tables[t] = await (projected.db as any).selectFrom(t).selectAll().execute();
  await fresh.migrate();
  await fresh.close();
  const start = performance.now();
  if (sqliteFile) {
    const db = new Database(sqliteFile);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    for (const [t, rows] of Object.entries(tables)) {
      if (rows.length === 0) continue;
      const cols = Object.keys(rows[0]!);
      const insert = db.prepare(`INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      const batch = db.transaction((chunk: Record<string, unknown>[]) => {
        for (const r of chunk) insert.run(...cols.map((c) => r[c]));
      });
      for (let i = 0; i < rows.length; i += BATCH) batch(rows.slice(i, i + BATCH));
    }
    db.close();
  } else {
    const client = new Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
    await client.connect();
    for (const [t, rows] of Object.entries(tables)) {
      if (rows.length === 0) continue;
      const cols = Object.keys(rows[0]!);
      for (let i = 0; i < rows.length; i += BATCH) {
        const chunk = rows.slice(i, i + BATCH);
        const values = chunk.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(', ')})`).join(', ');
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${t} (${cols.join(', ')}) VALUES ${values}`, chunk.flatMap((r) => cols.map((c) => r[c])));
        await client.query('COMMIT');
      }
    }
    await client.end();
  }
  return (performance.now() - start) / 1000;
}

export async function runProjectionBench(): Promise<string> {
  const largest = Math.max(...SIZES);
  const store = new SqliteEventStore({ filename: ':memory:', clock });
  const t0 = performance.now();
  await writeHistory(store, largest, 2026);
  const generated = (performance.now() - t0) / 1000;

  const url = process.env.LEDGER_BENCH_DATABASE_URL ?? execFileSync(join(__dirname, '../../scripts/postgres.sh'), ['start'], { encoding: 'utf8' }).trim();
  const { dir, cleanup } = scratch('projection');
  const engines = [
    { engine: 'SQLite', open: (n: number, tag: string) => openReadModelDatabase({ kind: 'sqlite', filename: join(dir, `rm-${n}-${tag}.db`) }), file: (n: number, tag: string) => join(dir, `rm-${n}-${tag}.db`), schema: () => null },
    { engine: 'PostgreSQL', open: (n: number, tag: string) => openReadModelDatabase({ kind: 'postgres', url, schema: `bench_${n}_${tag}` }), file: () => null, schema: (n: number, tag: string) => `bench_${n}_${tag}` },
  ];
  const rows: (string | number)[][] = [];
  for (const e of engines) {
    /** projection and raw rates at `n` events, each into fresh tables, dropped afterwards */
    const measure = async (n: number, tag: string) => {
      const rm = e.open(n, tag);
      await rm.migrate();
      const start = performance.now();
      const applied = await new Projector(store, rm, { clock, batchSize: BATCH }).catchUp(BigInt(n));
      const rate = applied / ((performance.now() - start) / 1000);
      const rawRate = applied / (await rawSeconds(rm, e.open(n, `${tag}r`), url, e.schema(n, `${tag}r`), e.file(n, `${tag}r`)));
      if (rm.kind === 'postgres') {
        for (const s of [e.schema(n, tag)!, e.schema(n, `${tag}r`)!]) await sql`DROP SCHEMA IF EXISTS ${sql.id(s)} CASCADE`.execute(rm.db);
      }
      await rm.close();
      if (applied === 0) throw new Error(`nothing projected at ${n} events`);
      return { rate, rawRate };
    };
    // A discarded warm-up at the smallest size (as the HTTP benchmark discards one), so the
    // first measured size is not also the one that pays for the JIT.
    await measure(Math.min(...SIZES), `w${Date.now().toString(36)}`);
    const rates: number[] = [];
    const speeds: number[] = [];
    for (const n of SIZES) {
      speeds.push(cpuSpeed());
      // A size that projects in well under a second is measured several times (median of
      // projection and raw each): one short run can fall into a slow moment of the shared
      // machine and would skew the flat-cost comparison against the larger sizes.
      const runs: { rate: number; rawRate: number }[] = [];
      const started = performance.now();
      do runs.push(await measure(n, Date.now().toString(36)));
      while (runs.length < 5 && performance.now() - started < MIN_SECONDS_PER_SIZE * 1000);
      const rate = median(runs.map((r) => r.rate));
      const rawRate = median(runs.map((r) => r.rawRate));
      rates.push(rate);
      rows.push([e.engine, fmt(n), fmt(rate), fmt(rawRate), `${Math.round((rate / rawRate) * 100)}%`, `${Math.round((rate / rates[0]!) * 100)}%`, relativeSpeed(speeds.at(-1)!, speeds[0]!)]);
    }
  }
  await store.close();
  cleanup();
  return [
    `### Projection catch-up vs raw batched inserts — ${machine()}, batches of ${BATCH}, median of up to 5 runs per size (until ${MIN_SECONDS_PER_SIZE} s), after a discarded warm-up at ${fmt(Math.min(...SIZES))} events, history generated in ${generated.toFixed(0)} s`,
    '',
    table(['engine', 'events', 'projection events/s', 'raw insert of the final rows, events/s', 'projection ÷ raw', 'vs 10^4', 'machine speed vs 10^4'], rows),
  ].join('\n');
}

if (require.main === module) void runProjectionBench().then((r) => console.log(r));
