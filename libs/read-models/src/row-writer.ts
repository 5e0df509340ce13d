import { CompiledQuery, type Kysely } from 'kysely';

/**
 * Writes the rows a projection batch changed, with SQL compiled once per table, column
 * list and row count and then reused (Kysely's builder parses and compiles every query
 * anew, which cost the projector about 15% of its time).
 *
 * Statements still run through Kysely's `executeQuery`, on the open transaction's
 * connection, so the driver sees every one of them (the crash test injects its faults
 * there).
 */
export class RowWriter {
  private readonly sql = new Map<string, string>();

  /**
   * @param placeholder how the engine spells the i-th (0-based) bound parameter
   * @param maxParameters most bound parameters one statement may carry
   * @param rowsPerStatement how many rows one statement takes: SQLite prepares and
   *   caches a statement per distinct text, so it uses a few fixed sizes; PostgreSQL
   *   pays a round trip per statement, so it sends as many rows as the limit allows
   */
  constructor(
    private readonly placeholder: (i: number) => string,
    private readonly maxParameters: number,
    private readonly rowsPerStatement: (rows: number, max: number) => number,
    /** what a value is bound as, where the engine needs it changed */
    private readonly bind?: (value: unknown) => unknown,
  ) {}

  static sqlite(): RowWriter {
    // 64 rows per statement, the remainder in powers of two: at most 7 distinct texts per table
    return new RowWriter(() => '?', 32_000, (rows, max) => Math.min(max, rows >= 64 ? 64 : 2 ** Math.floor(Math.log2(rows))));
  }

  /**
   * PostgreSQL's text cannot hold NUL: a value with one failed its batch, and the projector
   * stopped on that event for good (events are immutable; a name was accepted with a NUL
   * before HTTP 1.29.0, and an older build's store may hold one). NUL is written as U+FFFD,
   * so every event projects; SQLite keeps the value as it is.
   */
  static postgres(): RowWriter {
    return new RowWriter((i) => `$${i + 1}`, 60_000, (rows, max) => Math.min(rows, max, 1000), withoutNul);
  }

  /** Inserts `rows` into `table`, replacing the row with the same primary key. */
  async upsert(executor: Kysely<any>, table: string, pk: readonly string[], rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const max = Math.max(1, Math.floor(this.maxParameters / columns.length));
    for (let at = 0; at < rows.length;) {
      const n = this.rowsPerStatement(rows.length - at, max);
      const params: unknown[] = new Array(n * columns.length);
      let p = 0;
      const bind = this.bind;
      for (let r = at; r < at + n; r++) {
        const row = rows[r] as Record<string, unknown>;
        for (const c of columns) params[p++] = bind === undefined ? row[c] : bind(row[c]);
      }
      await executor.executeQuery(CompiledQuery.raw(this.upsertSql(table, pk, columns, n), params));
      at += n;
    }
  }

  /** Deletes the rows with these primary keys. */
  async delete(executor: Kysely<any>, table: string, pk: readonly string[], keys: readonly object[]): Promise<void> {
    const text = this.cached(`d|${table}`, () => `DELETE FROM ${table} WHERE ${pk.map((c, i) => `${c} = ${this.placeholder(i)}`).join(' AND ')}`);
    const bind = this.bind ?? ((value: unknown) => value);
    for (const key of keys) await executor.executeQuery(CompiledQuery.raw(text, pk.map((c) => bind((key as Record<string, unknown>)[c]))));
  }

  private upsertSql(table: string, pk: readonly string[], columns: readonly string[], rows: number): string {
    return this.cached(`u|${table}|${rows}|${columns.join(',')}`, () => {
      const values: string[] = [];
      for (let r = 0; r < rows; r++) {
        values.push(`(${columns.map((_, c) => this.placeholder(r * columns.length + c)).join(', ')})`);
      }
      const others = columns.filter((c) => !pk.includes(c));
      const update = others.length > 0 ? `DO UPDATE SET ${others.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'DO NOTHING';
      return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')} ON CONFLICT (${pk.join(', ')}) ${update}`;
    });
  }

  private cached(key: string, build: () => string): string {
    let text = this.sql.get(key);
    if (text === undefined) {
      if (this.sql.size >= 1000) this.sql.clear();
      text = build();
      this.sql.set(key, text);
    }
    return text;
  }
}

const withoutNul = (value: unknown): unknown =>
  typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value;
