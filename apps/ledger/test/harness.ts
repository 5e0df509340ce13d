import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { createApp } from '../src/app';
import { ReadModelSwitch, ReadYourWrites } from '../src/read-side/read-side.module';
import { loadConfig, type LedgerConfig, type Role } from '../src/config/ledger.config';
import type { Clock } from '../src/infrastructure/clock';
import { createRootLogger } from '../src/infrastructure/logger';
import { responseProblems } from './support/openapi-contract';

export const KEYS: Record<Role, string> = {
  service: 'service-key-0123456789abcdef',
  auditor: 'auditor-key-0123456789abcdef',
  regulator: 'regulator-key-0123456789abcd',
  admin: 'admin-key-0123456789abcdefgh',
};

export class TestClock implements Clock {
  constructor(private t: Date) {}
  now() {
    return new Date(this.t);
  }
  set(iso: string) {
    this.t = new Date(iso);
  }
}

export interface Ledger {
  readonly app: NestFastifyApplication;
  readonly config: LedgerConfig;
  readonly clock: TestClock;
  readonly dataDir: string;
  /** everything the service logged, as written */
  logs(): string;
  call(role: Role | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** resolves once the read models hold every stored event */
  settled(): Promise<void>;
  /** a GET that waits for the read models to include every command sent so far */
  read(role: Role | null, url: string): Promise<Reply>;
  /** a command with a fresh Idempotency-Key unless one is given */
  command(role: Role, url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /**
   * SHA-256 of every stored file in the data directory (databases, WALs, keys). SQLite's
   * `-shm` files are left out: a shared-memory index that reads update and that SQLite
   * rebuilds from the WAL, holding no data of its own.
   */
  fingerprint(): Record<string, string>;
  /** stops the service; the data directory is removed unless `keepData` */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: any;
  readonly raw: string;
}

let keySeq = 0;

export async function startLedger(now = '2026-11-25T05:00:00Z', env: NodeJS.ProcessEnv = {}, reuseDataDir?: string): Promise<Ledger> {
  const dataDir = reuseDataDir ?? mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const config = loadConfig({
    LEDGER_DATA_DIR: dataDir,
    LEDGER_API_KEYS: Object.entries(KEYS).map(([role, key]) => `test-${role}:${role}:${key}`).join(','),
    // the scheduler ticks once at start-up; tests drive it with ErasureScheduler.tick()
    LEDGER_SCHEDULER_INTERVAL_MS: '0',
    ...env,
  });
  const logger = createRootLogger('debug', sink);
  const clock = new TestClock(new Date(now));
  const app = await createApp({ config, logger, clock });

  let lastPosition = 0n;
  const call: Ledger['call'] = async (role, method, url, body, headers = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: {
        ...(role ? { authorization: `Bearer ${KEYS[role]}` } : {}),
        ...(body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      // a string or a Buffer is sent as it is (bytes a JSON encoder would never write); anything else as JSON
      ...(body === undefined ? {} : { payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });
    let parsed: unknown = null;
    try {
      parsed = res.body ? JSON.parse(res.body) : null;
    } catch {
      parsed = null;
    }
    // every answer is held to the OpenAPI document (docs/openapi.json): status and body
    const problems = responseProblems(method, url, res.statusCode, String(res.headers['content-type'] ?? ''), parsed ?? res.body);
    if (problems.length > 0) throw new Error(`the response breaks the OpenAPI document: ${problems.join('; ')}`);
    const position = (parsed as { position?: string } | null)?.position;
    if (method === 'POST' && res.statusCode === 201 && position && BigInt(position) > lastPosition) lastPosition = BigInt(position);
    const recorded = (parsed as { recorded?: { position?: string } } | null)?.recorded?.position;
    if (recorded && BigInt(recorded) > lastPosition) lastPosition = BigInt(recorded);
    return { status: res.statusCode, headers: res.headers, body: parsed, raw: res.body };
  };

  return {
    app,
    config,
    clock,
    dataDir,
    logs: () => lines.join(''),
    call,
    settled: async () => {
      const head = await app.get<EventStore>(EVENT_STORE).headPosition();
      // where the read models stand, whichever thread projects them
      for (let i = 0; (await app.get(ReadYourWrites).position()) < head; i++) {
        if (i > 400) throw new Error('the projector did not catch up');
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    read: (role, url) => call(role, 'GET', `${url}${url.includes('?') ? '&' : '?'}minPosition=${lastPosition}`),
    command: (role, url, body, headers = {}) =>
      call(role, 'POST', url, body, { 'idempotency-key': `test-key-${++keySeq}-${Date.now()}`, ...headers }),
    fingerprint: () =>
      Object.fromEntries(readdirSync(dataDir).filter((f) => !f.endsWith('-shm')).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(dataDir, f))).digest('hex')])),
    close: async (options) => {
      await app.close();
      if (!options?.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Holds the write lock of the SQLite read models, so the projector cannot commit: what is
 * written meanwhile stays unprojected — a read that waits for its position is behind —
 * until `release` (before the projector's busy timeout of 5 s runs out). `db` is the
 * holding connection, for a test that changes the tables under the lock; `release` rolls
 * back whatever it has not committed, and closes it.
 */
export function holdReadModels(l: Ledger): { db: Database.Database; release: () => void } {
  const db = new Database(join(l.dataDir, `${l.app.get(ReadModelSwitch).generation}.db`));
  db.exec('BEGIN IMMEDIATE');
  return {
    db,
    release: () => {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** The reference data most scenarios need: a published policy and two recipients with agreements. */
export async function seedReferenceData(l: Ledger): Promise<void> {
  const ok = (r: Reply) => {
    if (r.status !== 201) throw new Error(`seed failed: ${r.status} ${r.raw}`);
  };
  ok(await l.command('admin', '/v1/policy-versions', { version: '2026-01', textSha256: 'a'.repeat(64), publishedAt: '2026-01-10T00:00:00Z' }));
  ok(await l.command('admin', '/v1/recipients', { recipientId: 'kz-partner', name: 'Partner LLP', kind: 'partner', country: 'KZ' }));
  ok(await l.command('admin', '/v1/recipients/kz-partner/confidentiality-agreements', { reference: 'NDA-1', signedOn: '2026-01-15' }));
  ok(await l.command('admin', '/v1/recipients', { recipientId: 'de-processor', name: 'Processor GmbH', kind: 'processor', country: 'DE' }));
  ok(await l.command('admin', '/v1/recipients/de-processor/confidentiality-agreements', { reference: 'NDA-2', signedOn: '2026-01-15' }));
}

export const grantBody = (over: Record<string, unknown> = {}) => ({
  purposes: ['service-provision'],
  categories: ['email-address', 'phone-number'],
  policyVersion: '2026-01',
  channel: 'web',
  thirdPartyTransfer: true,
  crossBorderTransfer: false,
  publication: false,
  ...over,
});

/** An instant at `hour` o'clock in Almaty (UTC+5) on a Kazakhstan date, as ISO. */
export const almaty = (date: string, hour = 10) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - 5 * 3_600_000 + hour * 3_600_000).toISOString();

/**
 * PostgreSQL for the suites that run the service on PostgreSQL read models: the server of
 * LEDGER_TEST_DATABASE_URL (`.ci/run` starts it), or null, said once, so that the suite is
 * skipped where there is none. In CI its absence is an error, not a skip.
 */
export function testPostgres(suite: string): string | null {
  const url = process.env.LEDGER_TEST_DATABASE_URL;
  if (!url && process.env.CI) throw new Error(`CI must run ${suite} on PostgreSQL: set LEDGER_TEST_DATABASE_URL (scripts/postgres.sh start)`);
  if (!url) console.warn(`${suite} on PostgreSQL: SKIPPED (LEDGER_TEST_DATABASE_URL is not set; \`scripts/postgres.sh start\` prints one)`);
  return url ?? null;
}

/** A database of its own on that server, for one service's read models; `drop` removes it. */
export async function freshPostgresDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ledger_e2e_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = async (statement: string) => {
    const c = new Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
