import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

/** A scratch directory on the same disk the embedded store would use. */
export function scratch(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), `ledger-bench-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const machine = () =>
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;

export const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 2 : 0 });

/** Runs `work` from `concurrency` loops until `ms` have passed; returns completed operations per second. */
export async function throughput(concurrency: number, ms: number, work: (writer: number, i: number) => Promise<void>): Promise<number> {
  const deadline = performance.now() + ms;
  let done = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    for (let i = 0; performance.now() < deadline; i++) {
      await work(w, i);
      done++;
    }
  }));
  return done / ((performance.now() - start) / 1000);
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}
