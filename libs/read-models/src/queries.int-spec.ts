import { SqliteEventStore } from '@ledger/event-store';
import { Projector } from './projector';
import { ReadModelQueries, type Page } from './queries';
import type { ReadModelDatabase } from './database';
import { writeHistory } from './testing/history';
import { readModelTargets } from './testing/targets';

const clock = () => new Date('2026-11-25T06:00:00Z');

/** Follows `nextCursor` from the first page to the last; returns every row and the page count. */
async function pageThrough<T>(first: (cursor: string | undefined) => Promise<Page<T>>): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await first(cursor);
    rows.push(...page.items);
    pages++;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { rows, pages };
}

// The registers' keyset pagination, on both engines: page by page, every row exactly once, in
// the register's order, the last page without a cursor (the LIMIT is written into the SQL,
// see queries.ts).
describe.each(readModelTargets().map((t) => [t.name, t] as const))('register queries on %s', (_, target) => {
  let store: SqliteEventStore;
  let rm: ReadModelDatabase;
  let queries: ReadModelQueries;

  beforeAll(async () => {
    store = new SqliteEventStore({ filename: ':memory:', clock });
    await writeHistory(store, 1500, 5);
    rm = await target.open();
    await new Projector(store, rm, { clock }).catchUp();
    queries = new ReadModelQueries(rm);
  }, 60_000);

  afterAll(async () => {
    await rm.close();
    await store.close();
  });

  it('pages through the consents register: every row once, ordered by subject and purpose', async () => {
    const all = await rm.db.selectFrom('rm_consents').select(['subject_id', 'purpose']).orderBy('subject_id').orderBy('purpose').execute();
    expect(all.length).toBeGreaterThan(20);
    const { rows, pages } = await pageThrough((cursor) => queries.consents({ limit: 7, ...(cursor ? { cursor } : {}) }));
    expect(rows.map((r) => [r.subject_id, r.purpose])).toEqual(all.map((r) => [r.subject_id, r.purpose]));
    expect(pages).toBe(Math.floor(all.length / 7) + 1);
  });

  it('pages through the transfers register in global order, with a filter', async () => {
    const all = await rm.db.selectFrom('rm_transfers').select(['position', 'cross_border']).orderBy('position').execute();
    const crossBorder = all.filter((r) => Number(r.cross_border) === 1);
    expect(crossBorder.length).toBeGreaterThan(3);
    expect(crossBorder.length).toBeLessThan(all.length);
    const { rows } = await pageThrough((cursor) => queries.transfers({ limit: 3, crossBorder: true, ...(cursor ? { cursor } : {}) }));
    expect(rows.map((r) => String(r.position))).toEqual(crossBorder.map((r) => String(r.position)));
  });

  it('pages through the erasure queue by due date', async () => {
    const all = await rm.db.selectFrom('rm_erasures').select('erasure_id').orderBy('due_on').orderBy('erasure_id').execute();
    expect(all.length).toBeGreaterThan(5);
    const { rows } = await pageThrough((cursor) => queries.erasures({ limit: 4, ...(cursor ? { cursor } : {}) }, '2026-11-25'));
    expect(rows.map((r) => r.erasure_id)).toEqual(all.map((r) => r.erasure_id));
  });

  it('answers a page of exactly the rows left with no next cursor', async () => {
    const total = (await rm.db.selectFrom('rm_consents').select('subject_id').execute()).length;
    const whole = await queries.consents({ limit: total });
    expect(whole.items).toHaveLength(total);
    expect(whole.nextCursor).toBeNull();
    const short = await queries.consents({ limit: total - 1 });
    expect(short.items).toHaveLength(total - 1);
    expect(short.nextCursor).not.toBeNull();
  });
});
