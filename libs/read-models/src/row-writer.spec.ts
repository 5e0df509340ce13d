import type { CompiledQuery, Kysely } from 'kysely';
import { RowWriter } from './row-writer';

/** Captures what the writer hands to Kysely; the integration suites run it on real engines. */
function capture() {
  const queries: CompiledQuery[] = [];
  const executor = { executeQuery: async (q: CompiledQuery) => void queries.push(q) } as unknown as Kysely<any>;
  return { queries, executor };
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `k${i}`, a: i, b: null }));

describe('RowWriter', () => {
  it('SQLite: 64 rows per statement, the remainder in powers of two, so few distinct texts are prepared', async () => {
    const { queries, executor } = capture();
    await RowWriter.sqlite().upsert(executor, 't', ['id'], rows(200));
    const sizes = queries.map((q) => q.parameters.length / 3);
    expect(sizes).toEqual([64, 64, 64, 8]);
    expect(new Set(queries.map((q) => q.sql)).size).toBe(2);
    expect(queries[3]!.sql).toBe(
      `INSERT INTO t (id, a, b) VALUES ${Array.from({ length: 8 }, () => '(?, ?, ?)').join(', ')} ON CONFLICT (id) DO UPDATE SET a = excluded.a, b = excluded.b`,
    );
    expect(queries.flatMap((q) => q.parameters)).toEqual(rows(200).flatMap((r) => [r.id, r.a, r.b]));
  });

  it('PostgreSQL: binds NUL as U+FFFD (its text cannot hold NUL); SQLite binds every value as it is', async () => {
    const nul = [{ id: 'k\u0000', a: 'x\u0000y\u0000', b: 7 }];
    const pg = capture();
    await RowWriter.postgres().upsert(pg.executor, 't', ['id'], nul);
    await RowWriter.postgres().delete(pg.executor, 't', ['id'], [{ id: 'k\u0000' }]);
    expect(pg.queries.map((q) => q.parameters)).toEqual([['k\ufffd', 'x\ufffdy\ufffd', 7], ['k\ufffd']]);
    const lite = capture();
    await RowWriter.sqlite().upsert(lite.executor, 't', ['id'], nul);
    expect(lite.queries[0]!.parameters).toEqual(['k\u0000', 'x\u0000y\u0000', 7]);
  });

  it('PostgreSQL: as many rows per statement as allowed, numbered placeholders', async () => {
    const { queries, executor } = capture();
    await RowWriter.postgres().upsert(executor, 't', ['id', 'a'], rows(1001));
    expect(queries.map((q) => q.parameters.length / 3)).toEqual([1000, 1]);
    expect(queries[1]!.sql).toBe('INSERT INTO t (id, a, b) VALUES ($1, $2, $3) ON CONFLICT (id, a) DO UPDATE SET b = excluded.b');
  });

  it('binds by column name, whatever order the row objects list their keys in', async () => {
    const { queries, executor } = capture();
    await RowWriter.sqlite().upsert(executor, 't', ['id'], [{ id: 'x', a: 1, b: 2 }, { b: 20, a: 10, id: 'y' }]);
    expect(queries[0]!.parameters).toEqual(['x', 1, 2, 'y', 10, 20]);
  });

  it('a table of key columns only inserts or does nothing; deletes go by primary key', async () => {
    const { queries, executor } = capture();
    const writer = RowWriter.postgres();
    await writer.upsert(executor, 'k', ['x', 'y'], [{ x: 1, y: 2 }]);
    await writer.delete(executor, 'k', ['x', 'y'], [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
    await writer.upsert(executor, 'k', ['x', 'y'], []);
    expect(queries.map((q) => [q.sql, q.parameters])).toEqual([
      ['INSERT INTO k (x, y) VALUES ($1, $2) ON CONFLICT (x, y) DO NOTHING', [1, 2]],
      ['DELETE FROM k WHERE x = $1 AND y = $2', [1, 2]],
      ['DELETE FROM k WHERE x = $1 AND y = $2', [3, 4]],
    ]);
  });
});
