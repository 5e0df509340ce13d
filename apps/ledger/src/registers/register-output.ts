import { StreamableFile } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { Readable } from 'node:stream';
import type { Page, ReadModelQueries } from '@ledger/read-models';
import type { PositionedSnapshot } from '../read-side/read-side.module';

type Flat = Record<string, string | number | boolean | null | readonly string[]>;

const cell = (v: Flat[string]) => (Array.isArray(v) ? v.join(';') : v === null ? '' : String(v));

/**
 * A register exported as CSV, with the position its rows stand for: every row reflects
 * exactly the events up to it (`Ledger-Position`, set by LedgerPositionHeader).
 */
export class RegisterExport extends StreamableFile {
  constructor(stream: Readable, name: string, readonly position: bigint) {
    super(stream, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${name}.csv"` });
  }
}

/**
 * A register as CSV for the people who keep records: every matching row, page by page,
 * streamed from one snapshot of the read models, so the file is the register as it stood
 * at one point of the history however long it takes to send, while the projector goes on
 * writing. Cells that a spreadsheet would run as formulas are escaped. The snapshot is
 * released when the stream closes: sent, failed, or abandoned by the client.
 */
async function csvFile<T>(
  name: string, columns: readonly string[], source: RegisterSource,
  fetch: (queries: ReadModelQueries, cursor: string | undefined) => Promise<Page<T>>, view: (row: T) => Flat,
): Promise<RegisterExport> {
  const snapshot = await source.snapshot();
  async function* lines() {
    yield stringify([columns], { escape_formulas: true });
    let cursor: string | undefined;
    do {
      const page = await fetch(snapshot.queries, cursor);
      if (page.items.length > 0) yield stringify(page.items.map(view).map((r) => columns.map((c) => cell(r[c] ?? null))), { escape_formulas: true });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  const stream = Readable.from(lines());
  // 'close' follows the end, an error and a destroy alike (a generator's `finally` does not
  // run when the stream is destroyed while it awaits a page: export-snapshot.e2e-spec.ts)
  stream.once('close', () => void snapshot.release());
  return new RegisterExport(stream, name, snapshot.position);
}

/** Where a register reads: the live read models for a page, a snapshot of them for an export. */
export interface RegisterSource {
  readonly queries: ReadModelQueries;
  snapshot(): Promise<PositionedSnapshot>;
}

/**
 * What every register answers: one JSON page (`cursor`, `limit`), or with `format=csv`
 * every matching row, fetched 1,000 at a time from one snapshot. `csvView` flattens a row
 * for a register whose JSON nests (the recipients' agreements).
 */
export async function registerAnswer<T>(
  p: { format?: 'json' | 'csv'; cursor?: string; limit?: number },
  csv: { name: string; columns: readonly string[] },
  source: RegisterSource,
  fetch: (queries: ReadModelQueries, cursor: string | undefined, limit: number) => Promise<Page<T>>,
  view: (row: T) => Flat,
  csvView: (row: T) => Flat = view,
) {
  if (p.format === 'csv') return csvFile(csv.name, csv.columns, source, (q, c) => fetch(q, c, 1000), csvView);
  const page = await fetch(source.queries, p.cursor, p.limit ?? 100);
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}
