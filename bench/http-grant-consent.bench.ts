/**
 * The HTTP grant-consent path (validation, auth, idempotency, decide, hash, group-commit
 * append, fsync) against a bare Fastify route parsing the same body, both in their own
 * process on this machine, driven by autocannon with 64 connections.
 * Target (issue): grant-consent ≥ 25% of bare Fastify's requests per second; p99 reported.
 */
import autocannon from 'autocannon';
import { join } from 'node:path';
import { ADMIN_KEY, cpuSpeed, fmt, GRANT_BODY, machine, median, relativeSpeed, scratch, SERVICE_KEY, startServer, table } from './support';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
/**
 * Rounds of all five servers, one after the other: the ratio is taken within each round and
 * the median reported, so that the shared machine's drift (0.6–1.2× within minutes) falls
 * on the ledger and its baseline alike rather than deciding the verdict.
 */
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const CONNECTIONS = 64;

async function load(port: number, key: string | null): Promise<autocannon.Result> {
  let n = 0;
  // base 36: a run of 7+ digits looks like a phone number, and the ledger rightly refuses it as an id
  const run = `${process.pid.toString(36)}x${Date.now().toString(36)}`;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{
      method: 'POST',
      setupRequest: (req) => {
        n++;
        return {
          ...req,
          path: `/v1/subjects/b${run}-${n.toString(36)}/consents`,
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `bench-${run}-${n.toString(36)}`,
            ...(key ? { authorization: `Bearer ${key}` } : {}),
          },
          body: GRANT_BODY,
        };
      },
    }],
  });
}

async function measure(name: string, script: string, env: NodeJS.ProcessEnv, port: number, key: string | null, seed?: () => Promise<void>) {
  const speed = cpuSpeed();
  const child = await startServer(script, env, port);
  try {
    await seed?.();
    await load(port, key); // warm-up, discarded
    const r = await load(port, key);
    const non2xx = r.non2xx + r.errors;
    return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx, speed };
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
  }
}

export async function runHttpBench(): Promise<string> {
  const dist = join(__dirname, '..');
  const seedPolicy = (port: number) => async () => {
    const r = await fetch(`http://127.0.0.1:${port}/v1/policy-versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}`, 'idempotency-key': 'bench-policy-0001' },
      body: JSON.stringify({ version: '2026-01', textSha256: 'a'.repeat(64), publishedAt: '2026-01-10T00:00:00Z' }),
    });
    if (r.status !== 201) throw new Error(`seeding the policy failed: ${r.status}`);
  };
  const ledgerRun = async (name: string, port: number, roles: string | undefined, extra: NodeJS.ProcessEnv = {}) => {
    const { dir, cleanup } = scratch('http');
    const env = { LEDGER_DATA_DIR: dir, LEDGER_API_KEYS: `bench:service:${SERVICE_KEY},bench-admin:admin:${ADMIN_KEY}`, LOG_LEVEL: 'warn', ...(roles ? { LEDGER_ROLES: roles } : {}), ...extra };
    const r = await measure(name, join(dist, 'apps/ledger/src/main.js'), env, port, SERVICE_KEY, seedPolicy(port));
    cleanup();
    return r;
  };
  type Measured = Awaited<ReturnType<typeof measure>>;
  const rounds: { bare: Measured; floor: Measured; ledger: Measured; inThread: Measured; apiOnly: Measured }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rounds.push({
      bare: await measure('bare Fastify route', join(__dirname, 'servers/bare-fastify.js'), {}, 3901, null),
      floor: await measure('Nest + ValidationPipe, same DTO, no ledger work', join(__dirname, 'servers/nest-floor.js'), {}, 3903, null),
      // the embedded default runs the projector and the scheduler in the same process
      ledger: await ledgerRun('ledger, default roles (api, projector, scheduler)', 3902, undefined),
      // the projector on the service's thread, as before session 13
      inThread: await ledgerRun('ledger, default roles, LEDGER_PROJECTOR_THREAD=off', 3905, undefined, { LEDGER_PROJECTOR_THREAD: 'off' }),
      apiOnly: await ledgerRun('ledger, LEDGER_ROLES=api (command path alone)', 3904, 'api'),
    });
  }
  const first = rounds[0]!.bare.speed;
  const speeds = (k: keyof (typeof rounds)[number]) => rounds.map((r) => relativeSpeed(r[k].speed, first)).join(', ');
  const rows = (['bare', 'floor', 'ledger', 'inThread', 'apiOnly'] as const).map((k) => [
    rounds[0]![k].name,
    fmt(median(rounds.map((r) => r[k].rps))),
    `${median(rounds.map((r) => r[k].p50))} ms`,
    `${median(rounds.map((r) => r[k].p99))} ms`,
    rounds.reduce((n, r) => n + r[k].non2xx, 0),
    speeds(k),
  ]);
  /** per-round ratios in percent, and their median */
  const ratio = (a: 'ledger' | 'inThread' | 'apiOnly' | 'floor', b: 'bare' | 'floor' | 'inThread') => {
    const each = rounds.map((r) => Math.round((r[a].rps / r[b].rps) * 100));
    return `${median(each)}% (rounds: ${each.map((x) => `${x}%`).join(', ')})`;
  };
  return [
    `### HTTP grant-consent vs bare Fastify — ${machine()}, ${CONNECTIONS} connections, ${SECONDS} s after a ${SECONDS} s warm-up, ${ROUNDS} rounds of the five servers in turn (medians)`,
    '',
    table(['server', 'requests/s', 'p50', 'p99', 'non-2xx', 'machine speed per round vs the first'], rows),
    '',
    `Ratio, taken within each round: the ledger serves ${ratio('ledger', 'bare')} of bare Fastify's requests per second (target ≥ 25%); `
      + `the framework floor alone serves ${ratio('floor', 'bare')}, and the ledger ${ratio('ledger', 'floor')} of the floor; `
      + `with the API alone in the process, ${ratio('apiOnly', 'bare')}; with the projector on the service's thread `
      + `(LEDGER_PROJECTOR_THREAD=off), ${ratio('inThread', 'bare')}, and the default in its own thread serves ${ratio('ledger', 'inThread')} of that.`,
  ].join('\n');
}

if (require.main === module) void runHttpBench().then((r) => console.log(r));
