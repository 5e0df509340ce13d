/**
 * Appends through the SQLite event store with group commit, against (a) the same store
 * with one fsync per append and (b) raw better-sqlite3 batched inserts at the same
 * durability (WAL, synchronous=FULL), with 1, 8 and 64 concurrent writers.
 * Target (issue): group commit ≥ 10× the one-fsync-per-append rate.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { prepareWriterConnection, SqliteEventStore, type EventToAppend } from '@ledger/event-store';
import { pooledUuidV7 } from '../apps/ledger/src/infrastructure/clock';
import { cpuSpeed, fmt, machine, relativeSpeed, scratch, table, throughput } from './support';

const MS = Number(process.env.BENCH_MS ?? 3000);
const clock = () => new Date();
const payload = { purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01', channel: 'web' };

const ids = pooledUuidV7(); // the service's own generator: UUIDv7 from a pool of random bytes
const event = (): EventToAppend => {
  const eventId = ids.next(); // as the service issues them: time-ordered, so index inserts stay local
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

/** The floor under any store: rows inserted into the store's own schema in transactions of `writers` rows, same pragmas. */
async function raw(writers: number): Promise<number> {
  const { dir, cleanup } = scratch('raw');
  const db = new Database(join(dir, 'raw.db'));
  prepareWriterConnection(db); // the store's pragmas, table, indexes and triggers
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((rows: unknown[][]) => {
    for (const r of rows) insert.run(...r);
  });
  const revs = new Array<number>(writers).fill(0);
  // the store's metadata carries recordedAt, prevHash and hash besides the caller's: rows of the same size
  const chain = `,"recordedAt":"${new Date().toISOString()}","prevHash":"${'0'.repeat(64)}","hash":"${'f'.repeat(64)}"}`;
  const start = performance.now();
  let done = 0;
  while (performance.now() - start < MS) {
    const rows = Array.from({ length: writers }, (_, w) => {
      const e = event();
      return [`subject-w${w}`, revs[w]!++, e.metadata.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata).slice(0, -1) + chain];
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
