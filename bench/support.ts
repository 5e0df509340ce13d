import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
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

/** the middle value (the upper middle of an even count) */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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

const PROBE = Buffer.alloc(1024, 7);

/**
 * This machine's speed right now: rounds per second of a fixed CPU workload (SHA-256 of
 * 1 KiB, no allocation to speak of, for 1 s). On the shared virtual machines the project
 * runs on, the same loop measured from 0.6× to 1.2× of its median in 1-second windows
 * (2026-11-27); a ratio of two measurements taken one after the other is only as good as
 * the speed staying put between them, so the benchmarks print this beside each row.
 */
export function cpuSpeed(): number {
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < 1000) {
    for (let i = 0; i < 100; i++) createHash('sha256').update(PROBE).digest();
    rounds++;
  }
  return rounds / ((performance.now() - start) / 1000);
}

/** `speed` as a percentage of `reference` (the first probe of a section). */
export const relativeSpeed = (speed: number, reference: number) => `${Math.round((speed / reference) * 100)}%`;

/** Starts a server in a child process; resolves once it says it is ready, or its readiness probe answers. */
export function startServer(script: string, env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = fork(script, [], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.once('message', () => resolve(child));
    // the ledger does not send 'ready': poll its readiness probe instead
    const poll = setInterval(async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/health/ready`);
        if (r.ok) {
          clearInterval(poll);
          resolve(child);
        }
      } catch { /* not listening yet */ }
    }, 100);
    child.once('message', () => clearInterval(poll));
  });
}

/** API keys the benchmarks give the ledger they start (LEDGER_API_KEYS) */
export const SERVICE_KEY = 'bench-service-key-0123456789';
export const ADMIN_KEY = 'bench-admin-key-0123456789ab';

/** the grant-consent body every HTTP benchmark sends */
export const GRANT_BODY = JSON.stringify({
  purposes: ['service-provision'], categories: ['email-address'], policyVersion: '2026-01', channel: 'web',
  thirdPartyTransfer: false, crossBorderTransfer: false, publication: false,
});
