import { readdirSync, readlinkSync } from 'node:fs';
import { SqliteEventStore } from '@ledger/event-store';
import type { ReadModelDatabase } from './database';
import { Projector } from './projector';
import { ReadModelQueries, type Page } from './queries';
import type { ConsentRow } from './schema';
import { writeHistory } from './testing/history';
import { dumpTables, readModelTargets } from './testing/targets';

/** descriptors of this process open on `file` (Linux) */
const openFiles = (file: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // closed while listed
    }
  }).length;

const clock = () => new Date('2026-11-25T06:00:00Z');
const HALF = 700n;

async function everyConsent(queries: ReadModelQueries, between?: () => Promise<void>): Promise<ConsentRow[]> {
  const rows: ConsentRow[] = [];
  let cursor: string | undefined;
  do {
    const page: Page<ConsentRow> = await queries.consents({ limit: 50, ...(cursor ? { cursor } : {}) });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (cursor) await between?.();
  } while (cursor);
  return rows;
}

// A CSV export pages through a register while the projector goes on writing: read through
// a snapshot, every page stands for the same position — the checkpoint the snapshot holds —
// and the projector is not held up. On both engines, against a projection stopped at that
// position in a database of its own.
describe.each(readModelTargets().map((t) => [t.name, t] as const))('read-model snapshots on %s', (_, target) => {
  let store: SqliteEventStore;
  let live: ReadModelDatabase;
  let atHalf: ReadModelDatabase;
  let head: bigint;

  beforeAll(async () => {
    store = new SqliteEventStore({ filename: ':memory:', clock });
    await writeHistory(store, 1400, 11);
    head = await store.headPosition();
    atHalf = await target.open();
    await new Projector(store, atHalf, { clock }).catchUp(HALF);
  }, 60_000);

  beforeEach(async () => {
    live = await target.open();
    await new Projector(store, live, { clock }).catchUp(HALF);
  });

  afterEach(() => live.close());

  afterAll(async () => {
    await atHalf.close();
    await store.close();
  });

  it('holds every table as of its checkpoint while the projector writes the rest beside it', async () => {
    const snapshot = await new ReadModelQueries(live).snapshot();
    expect(snapshot.checkpoint.position).toBe(HALF);
    expect(live.openSnapshots).toBe(1);
    // the projector is not blocked by the open snapshot
    expect(await new Projector(store, live, { clock, batchSize: 100 }).catchUp()).toBe(Number(head - HALF));
    expect((await new ReadModelQueries(live).checkpoint()).position).toBe(head);

    expect(await dumpTables({ ...live, db: snapshot.db })).toEqual(await dumpTables(atHalf));
    expect((await snapshot.queries.checkpoint()).position).toBe(HALF);
    await snapshot.release();
    await snapshot.release(); // a second release does nothing
    expect(live.openSnapshots).toBe(0);

    const after = await new ReadModelQueries(live).snapshot();
    expect(after.checkpoint.position).toBe(head);
    expect(await dumpTables(live)).not.toEqual(await dumpTables(atHalf));
    await after.release();
  });

  it('pages through a register as one point of the history, though batches commit between the pages', async () => {
    const projector = new Projector(store, live, { clock, batchSize: 20 });
    const snapshot = await new ReadModelQueries(live).snapshot();
    let moved = 0;
    const rows = await everyConsent(snapshot.queries, async () => {
      moved += await projector.catchUp((projector.lastPosition || HALF) + 20n);
    });
    await snapshot.release();
    expect(moved).toBeGreaterThanOrEqual(100); // the projector moved on between the pages
    expect(rows).toEqual(await everyConsent(new ReadModelQueries(atHalf)));
    // and the tables themselves had moved on: read live, the pages would have mixed positions
    expect(await everyConsent(new ReadModelQueries(live))).not.toEqual(rows);
  });

  it('releases its connection: many exports one after the other leave none open', async () => {
    // SQLite: each snapshot opens the file once more (SQLite keeps one closed descriptor of
    // a file for reuse while another connection holds locks on it); PostgreSQL: each holds
    // one of the pool's 4 connections, so a leak would stall the loop
    const handles = () => ('filename' in live.location ? openFiles(live.location.filename) : 0);
    const before = handles();
    for (let i = 0; i < 50; i++) {
      const s = await new ReadModelQueries(live).snapshot();
      await s.queries.consents({ limit: 5 });
      if (i === 0 && 'filename' in live.location) expect(handles()).toBe(before + 1);
      await s.release();
    }
    expect(live.openSnapshots).toBe(0);
    expect(handles()).toBeLessThanOrEqual(before + 1);
  });
});
