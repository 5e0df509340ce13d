/**
 * A command on a subject whose stream is long, against the same command on a subject with
 * one event, through the service's HTTP API in the same run, interleaved. The service keeps
 * each stream's fold between commands (FoldedStreams), so the long stream should cost no
 * more: before session 14 every command read and folded the whole stream (103 ms a command
 * at 10,000 events, against 4 ms on a new subject).
 */
import { join } from 'node:path';
import { ADMIN_KEY, fmt, GRANT_BODY, machine, median, scratch, SERVICE_KEY, startServer, table } from './support';

const EVENTS = Number(process.env.BENCH_LONG_STREAM_EVENTS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_LONG_STREAM_SAMPLES ?? 200);
const PORT = 3906;

async function post(path: string, key: string, body?: string, bearer = SERVICE_KEY): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method: 'POST', body,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${bearer}`, 'idempotency-key': key },
  });
  if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
}

/** milliseconds one obligation takes to open on `subject` */
async function openObligation(subject: string, n: number): Promise<number> {
  const start = performance.now();
  await post(`/v1/subjects/${subject}/obligations`, `long-bench-${subject}-${n}`, JSON.stringify({ obligationId: `o-${n}`, kind: 'invoice' }));
  return performance.now() - start;
}

const percentile = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export async function runLongStreamBench(): Promise<string> {
  const { dir, cleanup } = scratch('long-stream');
  const child = await startServer(join(__dirname, '..', 'apps/ledger/src/main.js'), {
    LEDGER_DATA_DIR: dir, LEDGER_API_KEYS: `bench:service:${SERVICE_KEY},bench-admin:admin:${ADMIN_KEY}`, LOG_LEVEL: 'warn',
  }, PORT);
  try {
    await post('/v1/policy-versions', 'bench-policy-0001', JSON.stringify({ version: '2026-01', textSha256: 'a'.repeat(64), publishedAt: '2026-01-10T00:00:00Z' }), ADMIN_KEY);
    const t0 = performance.now();
    await post('/v1/subjects/long-1/consents', 'long-bench-grant', GRANT_BODY);
    // obligations opened and settled in turn: a long history, a small state (the decider's
    // state holds the open ones, and 10,000 open obligations would measure that instead)
    for (let n = 1; n < EVENTS; n++) {
      if (n % 2 === 1) await openObligation('long-1', n);
      else await post('/v1/subjects/long-1/obligations/o-' + (n - 1) + '/settlement', `long-bench-settle-${n}`);
    }
    const built = (performance.now() - t0) / 1000;
    for (let i = 0; i < SAMPLES; i++) await post(`/v1/subjects/short-${i}/consents`, `short-bench-grant-${i}`, GRANT_BODY);
    const short: number[] = [];
    const long: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      // interleaved, each going first half the time, so the machine's drift falls on both
      if (i % 2 === 0) {
        short.push(await openObligation(`short-${i}`, 1));
        long.push(await openObligation('long-1', EVENTS + i));
      } else {
        long.push(await openObligation('long-1', EVENTS + i));
        short.push(await openObligation(`short-${i}`, 1));
      }
    }
    const rows = [
      [`a subject with 1 event`, `${median(short).toFixed(2)} ms`, `${percentile(short, 0.9).toFixed(2)} ms`, '100%'],
      [`a subject with ${fmt(EVENTS)} events`, `${median(long).toFixed(2)} ms`, `${percentile(long, 0.9).toFixed(2)} ms`, `${Math.round((median(short) / median(long)) * 100)}%`],
    ];
    return [
      `### A command on a long stream vs on a new one — ${machine()}, ${SAMPLES} commands each, one at a time, interleaved (long stream built through the API in ${built.toFixed(0)} s)`,
      '',
      table(['opening an obligation on', 'p50', 'p90', 'speed vs 1 event (p50)'], rows),
    ].join('\n');
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
    cleanup();
  }
}

if (require.main === module) void runLongStreamBench().then((r) => console.log(r));
