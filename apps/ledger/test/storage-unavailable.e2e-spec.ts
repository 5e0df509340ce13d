import Database from 'better-sqlite3';
import { join } from 'node:path';
import { grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

/**
 * The storage failing is not the caller's fault and not a bug: 503 STORAGE_UNAVAILABLE
 * with Retry-After, nothing written, the failure logged with the driver's code and
 * without a value of the request; the same command retried with the same
 * Idempotency-Key goes through once the storage is back. Real SQLite throughout: another
 * connection holds the event store's write lock past its busy_timeout (5 s).
 */
describe('storage unavailable (e2e)', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await startLedger();
    await seedReferenceData(l);
    expect((await l.command('service', '/v1/subjects/su-1/consents', grantBody())).status).toBe(201);
  });
  afterAll(() => l.close());

  it('a command while another process holds the write lock is 503, writes nothing, and goes through on retry', async () => {
    const canary = 'canary-storage-5d1e@example.kz';
    const body = { category: 'email-address', source: 'subject', value: canary };
    const headers = { 'idempotency-key': 'storage-unavailable-0001' };
    const holder = new Database(join(l.dataDir, 'events.db'));
    let released = false;
    try {
      await l.settled();
      holder.exec('BEGIN IMMEDIATE');
      // The key vault is left out: sealing the value came first and got the subject's data
      // key (a file of its own, not lockable with the events); the retry seals under it.
      const files = () => Object.fromEntries(Object.entries(l.fingerprint()).filter(([f]) => !f.startsWith('keyvault.db')));
      const before = files();
      const refused = await l.call('service', 'POST', '/v1/subjects/su-1/personal-data', body, headers);

      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 503, code: 'STORAGE_UNAVAILABLE', instance: '/v1/subjects/:subjectId/personal-data' });
      expect(refused.raw).not.toContain(canary);
      expect(files()).toEqual(before);
      expect(Object.keys(before)).toEqual(expect.arrayContaining(['events.db', 'events.db-wal', 'read-models.db']));
      const logged = l.logs().split('\n').filter((line) => line.includes('storage unavailable'));
      expect(logged).toHaveLength(1);
      expect(JSON.parse(logged[0]!).err).toMatchObject({ name: 'SqliteError', code: 'SQLITE_BUSY' });
      expect(l.logs()).not.toContain(canary);

      holder.exec('ROLLBACK');
      released = true;
      const retried = await l.call('service', 'POST', '/v1/subjects/su-1/personal-data', body, headers);
      expect(retried.status).toBe(201);
      expect(retried.body.replayed).toBe(false);
      expect((await l.call('service', 'POST', '/v1/subjects/su-1/personal-data', body, headers)).body.replayed).toBe(true);
    } finally {
      if (!released) holder.exec('ROLLBACK');
      holder.close();
    }
  }, 30_000);
});
