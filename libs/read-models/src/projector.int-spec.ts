import { SqliteEventStore, type EventStore } from '@ledger/event-store';
import type { ReadModelDatabase } from './database';
import { Projector } from './projector';
import { dumpTables, readModelTargets } from './testing/targets';
import { seeded, writeHistory } from './testing/history';

const clock = () => new Date('2026-11-25T06:00:00Z');
const memoryStore = () => new SqliteEventStore({ filename: ':memory:', clock });

describe.each(readModelTargets())('read-model projections on $name', (target) => {
  const open: ReadModelDatabase[] = [];
  const fresh = async () => {
    const rm = await target.open();
    open.push(rm);
    return rm;
  };
  afterAll(async () => {
    for (const rm of open) await rm.close();
  });

  it('projects subjects, consents, erasures, transfers, retention, policy, recipients and sealed data', async () => {
    const store = memoryStore();
    await writeHistory(store, 400, 7);
    const rm = await fresh();
    const projector = new Projector(store, rm, { clock });
    expect(await projector.catchUp()).toBe(Number(await store.headPosition()));
    const t = await dumpTables(rm);
    expect(t.rm_policy_versions).toEqual([expect.objectContaining({ version: '2026-01', text_sha256: 'a'.repeat(64) })]);
    expect(t.rm_recipients!.map((r) => [r.recipient_id, r.country])).toEqual([['de-processor', 'DE'], ['kz-partner', 'KZ']]);
    expect(t.rm_recipient_agreements).toHaveLength(2);
    // cross-check against the events themselves
    const all = await store.readAll({ maxCount: 10_000 });
    const count = (type: string) => all.filter((e) => e.type === type).length;
    expect(t.rm_transfers).toHaveLength(count('TransferRecorded'));
    expect(t.rm_erasures).toHaveLength(count('ErasureScheduled'));
    expect(t.rm_erasures!.filter((e) => e.status === 'cancelled')).toHaveLength(count('ErasureCancelled'));
    expect(t.rm_subjects!.filter((s) => s.retention_ends_on !== null)).toHaveLength(count('AgreementTerminated'));
    expect(t.rm_transfers!.every((r) => (r.recipient_country === 'KZ') === (r.cross_border === '0'))).toBe(true);
    // personal data is held as ciphertext only
    expect(t.rm_personal_data!.every((r) => JSON.parse(r.sealed!).alg === 'A256GCM')).toBe(true);
    // each subject's revision is its stream's last revision
    for (const s of t.rm_subjects!) {
      const stream = all.filter((e) => e.streamId === `subject-${s.subject_id}`);
      expect(s.revision).toBe(stream.at(-1)!.revision.toString());
      expect(s.position).toBe(stream.at(-1)!.position.toString());
    }
    await store.close();
  });

  it('re-applying events is harmless: a second projector over the same tables changes nothing', async () => {
    const store = memoryStore();
    await writeHistory(store, 300, 3);
    const rm = await fresh();
    await new Projector(store, rm, { clock }).catchUp();
    const before = await dumpTables(rm);
    // another checkpoint name: every event is applied to rows that already hold it
    await new Projector(store, rm, { clock, name: 'again', batchSize: 37 }).catchUp();
    expect(await dumpTables(rm)).toEqual(before);
    await store.close();
  });

  it('replay equivalence: live projection equals a rebuild from position 0, and two rebuilds are identical', async () => {
    const store = memoryStore();
    const rnd = seeded(11);
    const live = await fresh();
    const projector = new Projector(store, live, { clock, batchSize: 50 });
    // write and project in interleaved bursts of random size, as in production
    for (let i = 0; i < 12; i++) {
      await writeHistory(store, 40 + rnd.int(120), 100 + i);
      await projector.catchUp();
    }
    const rebuildA = await fresh();
    await new Projector(store, rebuildA, { clock, batchSize: 1000 }).catchUp();
    const rebuildB = await fresh();
    await new Projector(store, rebuildB, { clock, batchSize: 7 }).catchUp();
    const liveRows = await dumpTables(live);
    expect(liveRows.rm_subjects!.length).toBeGreaterThan(50);
    expect(await dumpTables(rebuildA)).toEqual(liveRows);
    expect(await dumpTables(rebuildB)).toEqual(liveRows);
    await store.close();
  }, 60_000);

  it('crash at 50 random points while consuming 10,000 events: the final state equals a from-scratch rebuild', async () => {
    const store: EventStore = memoryStore();
    const total = await writeHistory(store, 10_000, 42);
    expect(total).toBeGreaterThanOrEqual(10_000);
    // Calibrate: how many statements does one uninterrupted catch-up take?
    const scratch = await fresh();
    let statementsToCatchUp = 0;
    const count = patchStatements(scratch, () => void statementsToCatchUp++);
    await new Projector(store, scratch, { clock, batchSize: 250 }).catchUp();
    count();

    const rm = await fresh();
    const rnd = seeded(5);
    let crashes = 0;
    const crashedAt: bigint[] = [];
    // Each round starts a new projector (nothing carried over in memory) and kills it at
    // a random statement, inside or between transactions; the next round resumes from
    // the stored checkpoint. Kill points are drawn so the 50 crashes cover the history.
    while (crashes < 50) {
      const projector = new Projector(store, rm, { clock, batchSize: 50 + rnd.int(400) });
      // mean: a 50th of the run plus the half batch each kill throws away
      const killAfter = 1 + rnd.int(2 * Math.ceil(statementsToCatchUp / 50 + 8));
      let statements = 0;
      const unpatch = patchStatements(rm, () => {
        if (++statements === killAfter) throw new Error('killed');
      });
      try {
        await projector.catchUp();
      } catch (e) {
        expect((e as Error).message).toBe('killed');
        crashes++;
        crashedAt.push(await new Projector(store, rm, { clock }).checkpoint());
      } finally {
        unpatch();
      }
      if (statements < killAfter) break; // caught up before the kill point
    }
    await new Projector(store, rm, { clock }).catchUp();
    const rebuilt = await fresh();
    await new Projector(store, rebuilt, { clock }).catchUp();
    expect(crashes).toBe(50);
    const head = await store.headPosition();
    expect(crashedAt.filter((p) => p < head / 4n).length).toBeGreaterThan(0);
    expect(crashedAt.filter((p) => p > (head * 3n) / 4n).length).toBeGreaterThan(0);
    expect(await dumpTables(rm)).toEqual(await dumpTables(rebuilt));
    await store.close();
  }, 180_000);
});

/**
 * Fault injection at the driver: `hook` runs before every statement the read-model
 * database executes, inside or outside transactions, and may throw to kill the work.
 */
function patchStatements(rm: ReadModelDatabase, hook: () => void): () => void {
  const executor = (rm.db as unknown as { getExecutor(): { provideConnection: (c: (conn: any) => Promise<unknown>) => Promise<unknown> } }).getExecutor();
  const provide = executor.provideConnection.bind(executor);
  executor.provideConnection = (consumer) =>
    provide((conn: { executeQuery: (q: unknown) => Promise<unknown> }) => {
      const execute = conn.executeQuery.bind(conn);
      const wrapped = Object.create(conn);
      wrapped.executeQuery = (q: unknown) => {
        hook();
        return execute(q);
      };
      return consumer(wrapped);
    });
  return () => {
    executor.provideConnection = provide;
  };
}
