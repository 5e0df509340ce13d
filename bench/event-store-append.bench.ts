/**
 * Appends through the SQLite event store with group commit, against (a) the same store
 * with one fsync per append and (b) raw better-sqlite3 batched inserts at the same
 * durability (WAL, synchronous=FULL), with 1, 8 and 64 concurrent writers.
 * Target (issue): group commit ≥ 10× the one-fsync-per-append rate.
 */
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { join } from 'node:path';
import { SqliteEventStore, WAL_AUTOCHECKPOINT_PAGES, WAL_SIZE_LIMIT_BYTES, type EventToAppend } from '@ledger/event-store';
import { cpuSpeed, fmt, machine, relativeSpeed, scratch, table, throughput } from './support';

const MS = Number(process.env.BENCH_MS ?? 3000);
const clock = () => new Date();
const payload = { purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01', channel: 'web' };

const event = (): EventToAppend => {
  const eventId = uuidv7(); // as the service issues them: time-ordered, so index inserts stay local
  return {
    type: 'ConsentGranted',
    data: payload,
    metadata: { eventId, schemaVersion: 1, occurredAt: new Date().toISOString(), actor: 'service:bench', correlationId: eventId, causationId: eventId, idempotencyKey: null },
  };
};

async function store(groupCommit: boolean, writers: number): Promise<number> {
  const { dir, cleanup } = scratch('es');
  const s = new SqliteEventStore({ filename: join(dir, 'events.db'), clock, groupCommit });
  const heads = new Array<bigint | 'no_stream'>(writers).fill('no_stream');
  const rate = await throughput(writers, MS, async (w) => {
    const r = await s.append(`subject-w${w}`, [event()], { expectedState: heads[w]! });
    heads[w] = r.nextExpectedRevision;
  });
  await s.close();
  cleanup();
  return rate;
}

/** The floor under any store: rows inserted in transactions of `writers` rows, same pragmas. */
async function raw(writers: number): Promise<number> {
  const { dir, cleanup } = scratch('raw');
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT, revision INTEGER, event_id TEXT UNIQUE, type TEXT, data TEXT, metadata TEXT, UNIQUE (stream_id, revision))');
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((rows: unknown[][]) => {
    for (const r of rows) insert.run(...r);
  });
  const revs = new Array<number>(writers).fill(0);
  const start = performance.now();
  let done = 0;
  while (performance.now() - start < MS) {
    const rows = Array.from({ length: writers }, (_, w) => {
      const e = event();
      return [`subject-w${w}`, revs[w]!++, e.metadata.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)];
    });
    batch(rows);
    done += writers;
  }
  const rate = done / ((performance.now() - start) / 1000);
  db.close();
  cleanup();
  return rate;
}

export async function runEventStoreBench(): Promise<string> {
  const rows: (string | number)[][] = [];
  const firstSpeed = cpuSpeed();
  for (const writers of [1, 8, 64]) {
    const speed = writers === 1 ? firstSpeed : cpuSpeed();
    const grouped = await store(true, writers);
    const single = await store(false, writers);
    const baseline = await raw(writers);
    rows.push([writers, fmt(grouped), fmt(single), fmt(baseline), `${fmt(grouped / single)}×`, `${Math.round((grouped / baseline) * 100)}%`, relativeSpeed(speed, firstSpeed)]);
  }
  return [
    `### Event store appends (SQLite, WAL, synchronous=FULL) — ${machine()}, ${MS} ms per cell`,
    '',
    table(['writers', 'group commit /s', 'one fsync per append /s', 'raw batched inserts /s', 'group ÷ one-fsync', 'group ÷ raw', 'machine speed vs 1 writer'], rows),
  ].join('\n');
}

if (require.main === module) void runEventStoreBench().then((r) => console.log(r));
