import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, SqliteDialect } from 'kysely';
import { SqliteEventStore } from '@ledger/event-store';
import { Projector } from './projector';
import { InvalidCursorError, ReadModelQueries, type Page, type SubjectFilter } from './queries';
import type { ReadModelDatabase } from './database';
import type { ReadModelTables, SubjectRow } from './schema';
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

  it('refuses a cursor the client changed, before it reaches SQL (PostgreSQL answered each with an error: a 500)', async () => {
    const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const tampered = [
      () => queries.transfers({ limit: 3, cursor: cursor(['abc']) }), // a position that is no number
      () => queries.transfers({ limit: 3, cursor: cursor(['9223372036854775808']) }), // beyond bigint
      () => queries.transfers({ limit: 3, cursor: cursor([12]) }), // a number: cursors hold strings
      () => queries.consents({ limit: 3, cursor: cursor(['a\u0000b', 'marketing']) }), // NUL in text
      () => queries.consents({ limit: 3, cursor: cursor(['x'.repeat(257), 'marketing']) }),
      () => queries.consents({ limit: 3, cursor: cursor([5, 'marketing']) }),
      () => queries.subjects({ limit: 3, cursor: cursor(['a', 'b']) }), // another register's arity
    ];
    for (const query of tampered) await expect(query()).rejects.toBeInstanceOf(InvalidCursorError);
    // the largest position there can be is still a cursor
    expect((await queries.transfers({ limit: 3, cursor: cursor(['9223372036854775807']) })).items).toEqual([]);
  });

  it('answers any cursor with a page or InvalidCursorError, never an engine error (fast-check)', async () => {
    const slot = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }), fc.stringMatching(/^\d{1,25}$/), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
      fc.constantFrom('h5s1', 'service-provision', '2026-11-25', '9223372036854775807', '-1', '1e3', ' 12'),
    );
    const cursors = fc.oneof(
      fc.array(slot, { maxLength: 3 }).map((key) => Buffer.from(JSON.stringify(key)).toString('base64url')),
      fc.string({ maxLength: 40 }),
    );
    const registers = [
      (cursor: string) => queries.consents({ limit: 3, cursor }),
      (cursor: string) => queries.erasures({ limit: 3, cursor }, '2026-11-25'),
      (cursor: string) => queries.transfers({ limit: 3, cursor }),
      (cursor: string) => queries.retention({ limit: 3, cursor }),
      (cursor: string) => queries.subjects({ limit: 3, cursor }),
      (cursor: string) => queries.recipients(cursor, 3),
    ];
    await fc.assert(fc.asyncProperty(cursors, fc.integer({ min: 0, max: registers.length - 1 }), async (cursor, r) => {
      try {
        expect(Array.isArray((await registers[r]!(cursor)).items)).toBe(true);
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
      }
    }), { numRuns: 300, seed: 20261128 });
  });

  it('pages through the erasure queue by due date', async () => {
    const all = await rm.db.selectFrom('rm_erasures').select('erasure_id').orderBy('due_on').orderBy('erasure_id').execute();
    expect(all.length).toBeGreaterThan(5);
    const { rows } = await pageThrough((cursor) => queries.erasures({ limit: 4, ...(cursor ? { cursor } : {}) }, '2026-11-25'));
    expect(rows.map((r) => r.erasure_id)).toEqual(all.map((r) => r.erasure_id));
  });

  it('finds the subjects whose every basis has lapsed, once each (§2.10, Law 94-V Art. 8)', async () => {
    const subject = (id: string, over: { status?: string; open_erasure_id?: string | null } = {}) => ({
      subject_id: id, status: 'active', agreement_state: 'active', restricted: 0, open_obligations: 0, active_legal_holds: 0,
      open_erasure_id: null, revision: 0, position: 1, ...over,
    });
    const consent = (id: string, purpose: string, validUntil: string | null, status = 'active') => ({
      subject_id: id, purpose, basis: 'consent', status, categories: '["email-address"]', policy_version: '2026-01', channel: 'web',
      third_party_transfer: 0, cross_border_transfer: 0, publication: 0, valid_until: validUntil, granted_at: '2026-01-20T00:00:00.000Z', position: 1,
    });
    await rm.db.insertInto('rm_subjects').values([
      subject('ex-a'), subject('ex-b'), subject('ex-c'), subject('ex-d', { open_erasure_id: 'e-d' }), subject('ex-e', { status: 'erased' }),
      subject('ex-f'), subject('ex-g'),
    ] as never).execute();
    await rm.db.insertInto('rm_consents').values([
      consent('ex-a', 'service-provision', '2026-03-31'), // lapsed yesterday
      consent('ex-b', 'service-provision', '2026-03-31'), consent('ex-b', 'legal-compliance', null), // another basis stands
      consent('ex-c', 'service-provision', '2026-04-01'), // valid through today
      consent('ex-d', 'service-provision', '2026-03-31'), // its erasure is already open
      consent('ex-e', 'service-provision', '2026-03-31'), // already erased
      consent('ex-f', 'service-provision', '2026-03-01'), consent('ex-f', 'product-promotion', '2026-03-31'), // both lapsed: once
      consent('ex-g', 'service-provision', '2026-03-31'), consent('ex-g', 'product-promotion', null, 'withdrawn'), // a withdrawn one is no basis
    ] as never).execute();
    expect((await queries.basesExpired('2026-04-01')).map((r) => r.subject_id)).toEqual(['ex-a', 'ex-f', 'ex-g']);
    expect((await queries.basesExpired('2026-04-01', 2)).map((r) => r.subject_id)).toEqual(['ex-a', 'ex-f']);
    expect(await queries.basesExpired('2026-03-31')).toEqual([]);
    // the consents register reads `active` and `lapsed` as of the same day
    const statuses = async (status: string) => (await queries.consents({ status, today: '2026-04-01', limit: 1000 })).items
      .filter((r) => r.subject_id.startsWith('ex-')).map((r) => `${r.subject_id}/${r.purpose}`);
    expect(await statuses('lapsed')).toEqual(['ex-a/service-provision', 'ex-b/service-provision', 'ex-d/service-provision', 'ex-e/service-provision',
      'ex-f/product-promotion', 'ex-f/service-provision', 'ex-g/service-provision']);
    expect(await statuses('active')).toEqual(['ex-b/legal-compliance', 'ex-c/service-provision']);
  });

  it('pages through the subjects register with each filter: the rows a plain scan finds, in subject order (§1.4, §2.5, §2.7, §2.10)', async () => {
    const row = (id: string, over: Partial<Record<keyof SubjectRow, unknown>>) => ({
      subject_id: id, status: 'active', agreement_state: 'active', restricted: 0, open_obligations: 0, active_legal_holds: 0,
      open_erasure_id: null, policy_version: '2026-01', revision: 0, position: 1, ...over,
    });
    await rm.db.insertInto('rm_subjects').values([
      row('sr-erased', { status: 'erased', agreement_state: 'suspended', erased_at: '2026-03-01T00:00:00.000Z' }),
      row('sr-erased-blocked', { status: 'erased', restricted: 1, agreement_state: 'terminated' }),
      row('sr-blocked', { restricted: 1, agreement_state: 'suspended', policy_version: '2026-06' }),
      row('sr-none', { agreement_state: 'none', policy_version: null }),
    ] as never).execute();
    const all = await rm.db.selectFrom('rm_subjects').selectAll().orderBy('subject_id').execute();
    const versions = [...new Set(all.map((r) => r.policy_version).filter((v): v is string => v !== null))];
    const cases: [Omit<SubjectFilter, 'limit' | 'cursor'>, (r: SubjectRow) => boolean][] = [
      [{}, () => true],
      [{ restricted: true }, (r) => Number(r.restricted) === 1],
      [{ restricted: false }, (r) => Number(r.restricted) === 0],
      [{ status: 'erased' }, (r) => r.status === 'erased'],
      [{ status: 'active' }, (r) => r.status === 'active'],
      ...(['none', 'active', 'suspended', 'terminated'] as const).map((state) =>
        [{ agreementState: state }, (r: SubjectRow) => r.agreement_state === state] as [Omit<SubjectFilter, 'limit'>, (r: SubjectRow) => boolean]),
      ...versions.map((v) => [{ policyVersion: v }, (r: SubjectRow) => r.policy_version === v] as [Omit<SubjectFilter, 'limit'>, (r: SubjectRow) => boolean]),
      [{ restricted: true, status: 'erased', agreementState: 'terminated' }, (r) => Number(r.restricted) === 1 && r.status === 'erased' && r.agreement_state === 'terminated'],
    ];
    // the history is varied enough for every filter to split the subjects
    for (const [name, pick] of [['restricted', cases[1]![1]], ['suspended', (r: SubjectRow) => r.agreement_state === 'suspended'], ['terminated', (r: SubjectRow) => r.agreement_state === 'terminated']] as const) {
      const n = all.filter(pick).length;
      expect([name, n > 1 && n < all.length]).toEqual([name, true]);
    }
    expect(versions.length).toBeGreaterThan(1);
    for (const [filter, pick] of cases) {
      const { rows } = await pageThrough((cursor) => queries.subjects({ ...filter, limit: 9, ...(cursor ? { cursor } : {}) }));
      expect([filter, rows.map((r) => r.subject_id)]).toEqual([filter, all.filter(pick).map((r) => r.subject_id)]);
    }
  });

  if (target.name === 'sqlite') {
    it('serves the blocked and erased filters from their partial indexes (migration 004)', async () => {
      const filename = (rm.location as { filename: string }).filename;
      const sqlite = new Database(filename, { readonly: true });
      const seen: { sql: string; parameters: readonly unknown[] }[] = [];
      const db = new Kysely<ReadModelTables>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => { seen.push(e.query); } });
      try {
        const logging = new ReadModelQueries({ ...rm, db });
        for (const [filter, index] of [[{ restricted: true }, 'rm_subjects_restricted'], [{ status: 'erased' as const }, 'rm_subjects_erased']] as const) {
          seen.length = 0;
          await logging.subjects({ ...filter, limit: 5 });
          const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${seen[0]!.sql}`).all(...(seen[0]!.parameters as unknown[])) as { detail: string }[];
          expect(plan.map((p) => p.detail).join('; ')).toContain(index);
        }
      } finally {
        await db.destroy();
      }
    });
  }

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

// The scheduler compares the key vault's tombstones with these (§2.10 across a vault
// restore): the count, and a walk in subject order that sees every erased subject once.
describe.each(readModelTargets().map((t) => [t.name, t] as const))('erased subjects on %s', (_, target) => {
  it('counts the erased subjects and walks them page by page, each once, none of the others (in either engine\'s collation)', async () => {
    const rm = await target.open();
    try {
      const subject = (id: string, erased: boolean): SubjectRow => ({
        subject_id: id, status: erased ? 'erased' : 'active', agreement_state: 'terminated', restricted: 0, policy_version: null,
        policy_accepted_mode: null, policy_accepted_at: null, agreement_ended_on: null, retention_ends_on: null, open_erasure_id: null,
        open_obligations: 0, active_legal_holds: 0, erased_at: erased ? `2026-04-18T0${id.length % 10}:00:00.000Z` : null, revision: 3, position: 7,
      });
      const ids = ['a-1', 'a_1', 'A1', 'b', 'B-2', 'z9', 'Z_9', '0-0', '_x', '-y'];
      const erased = ids.filter((_id, i) => i % 3 !== 1);
      await rm.db.insertInto('rm_subjects').values(ids.map((id) => subject(id, erased.includes(id)))).execute();
      const queries = new ReadModelQueries(rm);
      await expect(queries.erasedSubjectCount()).resolves.toBe(erased.length);
      const walked: { subject_id: string; erased_at: string | null }[] = [];
      for (let after = '', page = await queries.erasedSubjects(after, 2); page.length > 0; page = await queries.erasedSubjects(after, 2)) {
        walked.push(...page);
        after = page.at(-1)!.subject_id;
      }
      expect(walked.map((s) => s.subject_id).sort()).toEqual([...erased].sort());
      expect(new Set(walked.map((s) => s.subject_id)).size).toBe(walked.length);
      expect(walked.every((s) => s.erased_at === subject(s.subject_id, true).erased_at)).toBe(true);
    } finally {
      await rm.close();
    }
  });
});
