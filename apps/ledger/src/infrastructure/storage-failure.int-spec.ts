import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DomainError } from '@ledger/domain';
import { loggableError } from './logger';
import { storageFailure } from './storage-failure';

/**
 * The errors are real, raised by the real drivers against real files and servers: what
 * the classifier meets in production is what it is tested on.
 */
const thrown = async (work: () => unknown): Promise<unknown> => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the work to fail');
};

describe('storageFailure: the storage failing is 503, the request failing is 4xx, a bug is 500', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-storage-failure-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: a write lock held by another connection past busy_timeout is SQLITE_BUSY', async () => {
    const holder = new Database(join(dir, 'x.db'));
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (v TEXT); BEGIN IMMEDIATE');
    const waiter = new Database(join(dir, 'x.db'));
    waiter.pragma('busy_timeout = 0');
    const error = await thrown(() => waiter.exec('BEGIN IMMEDIATE'));
    expect(storageFailure(error)).toBe('SQLITE_BUSY');
    holder.exec('ROLLBACK');
    holder.close();
    waiter.close();
  });

  it('SQLite: a full database is SQLITE_FULL', async () => {
    const db = new Database(join(dir, 'full.db'));
    db.exec('CREATE TABLE t (v BLOB)');
    db.pragma('max_page_count = 8');
    const error = await thrown(() => {
      for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4096));
    });
    expect(storageFailure(error)).toBe('SQLITE_FULL');
    db.close();
  });

  it('SQLite: a constraint or an SQL error is no storage failure (a bug: 500)', async () => {
    const db = new Database(join(dir, 'c.db'));
    db.exec('CREATE TABLE t (v TEXT UNIQUE); INSERT INTO t VALUES (1)');
    expect(storageFailure(await thrown(() => db.exec('INSERT INTO t VALUES (1)')))).toBeNull();
    expect(storageFailure(await thrown(() => db.exec('SELECT * FROM nowhere')))).toBeNull();
    db.close();
  });

  it('PostgreSQL: a server that does not listen is ECONNREFUSED', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve)); // the port is free again: nobody listens
    const client = new Client({ host: '127.0.0.1', port, user: 'nobody', database: 'nothing' });
    expect(storageFailure(await thrown(() => client.connect()))).toBe('ECONNREFUSED');
  });

  const url = process.env.LEDGER_TEST_DATABASE_URL;
  if (!url && process.env.CI) throw new Error('CI must run this suite on PostgreSQL: set LEDGER_TEST_DATABASE_URL');
  (url ? it : it.skip)('PostgreSQL: a session the server terminates is 57P01; an SQL error is no storage failure', async () => {
    const admin = new Client({ connectionString: url });
    const victim = new Client({ connectionString: url });
    victim.on('error', () => undefined); // the terminated session's own event
    await admin.connect();
    await victim.connect();
    try {
      expect(storageFailure(await thrown(() => victim.query('SELECT * FROM no_such_table_here')))).toBeNull();
      const pid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const during = victim.query('SELECT pg_sleep(10)');
      for (let i = 0; i < 100; i++) {
        const active = await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [pid]);
        if (active.rowCount) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(storageFailure(await thrown(() => during))).toBe('57P01');
      // the client is broken from then on: node-postgres says so by message only
      expect(storageFailure(await thrown(() => victim.query('SELECT 1')))).toMatch(/^(PG_CONNECTION_LOST|57P01)$/);
    } finally {
      await admin.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('errors of the ledger itself are no storage failure', () => {
    expect(storageFailure(new DomainError('WITHDRAWAL_BLOCKED', 'an open obligation', 'refused', '§2.8'))).toBeNull();
    expect(storageFailure(new Error('Connection refused by the policy'))).toBeNull();
    expect(storageFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeNull(); // not from a socket: no syscall
    expect(storageFailure(null)).toBeNull();
  });
});

describe('loggableError', () => {
  it('keeps the name, the code and the frames, never the message (it may quote input)', () => {
    const error = new TypeError('invalid input syntax for type uuid: "canary-7c1f@example.kz"\nsecond line "canary-7c1f"');
    const logged = loggableError(error, 'X1');
    expect(logged.name).toBe('TypeError');
    expect(logged.code).toBe('X1');
    expect(logged.stack).toMatch(/^\s+at /);
    expect(JSON.stringify(logged)).not.toContain('canary-7c1f');
    expect(loggableError('a string thrown')).toEqual({ name: 'string' });
  });
});
