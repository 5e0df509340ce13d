import { StreamableFile } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { Readable } from 'node:stream';
import type { Page } from '@ledger/read-models';

type Flat = Record<string, string | number | boolean | null | readonly string[]>;

const cell = (v: Flat[string]) => (Array.isArray(v) ? v.join(';') : v === null ? '' : String(v));

/**
 * A register as CSV for the people who keep records: every matching row, page by page,
 * streamed; cells that a spreadsheet would run as formulas are escaped.
 */
function csvFile(name: string, columns: readonly string[], fetch: (cursor: string | undefined) => Promise<Page<Flat>>): StreamableFile {
  async function* lines() {
    yield stringify([columns], { escape_formulas: true });
    let cursor: string | undefined;
    do {
      const page = await fetch(cursor);
      if (page.items.length > 0) yield stringify(page.items.map((r) => columns.map((c) => cell(r[c] ?? null))), { escape_formulas: true });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return new StreamableFile(Readable.from(lines()), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${name}.csv"` });
}

const jsonPage = <T>(page: Page<T>, view: (row: T) => Flat) => ({ items: page.items.map(view), nextCursor: page.nextCursor });

/**
 * What every register answers: one JSON page (`cursor`, `limit`), or with `format=csv`
 * every matching row, fetched 1,000 at a time. `csvView` flattens a row for a register
 * whose JSON nests (the recipients' agreements).
 */
export async function registerAnswer<T>(
  p: { format?: 'json' | 'csv'; cursor?: string; limit?: number },
  csv: { name: string; columns: readonly string[] },
  fetch: (cursor: string | undefined, limit: number) => Promise<Page<T>>,
  view: (row: T) => Flat,
  csvView: (row: T) => Flat = view,
) {
  if (p.format === 'csv') return csvFile(csv.name, csv.columns, async (c) => jsonPage(await fetch(c, 1000), csvView));
  return jsonPage(await fetch(p.cursor, p.limit ?? 100), view);
}
