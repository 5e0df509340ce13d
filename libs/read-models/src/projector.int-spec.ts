import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointNotInStoreError, SqliteEventStore } from '@ledger/event-store';
import type { ReadModelDatabase } from './database';
import { Projector } from './projector';
import { patchStatements } from './testing/fault-injection';
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

  it('keeps the latest published version as the one in force, whatever order acceptances are recorded in (§1.4, §2.1)', async () => {
    const store = memoryStore();
    let n = 0;
    const append = async (stream: string, type: string, data: Record<string, unknown>) => {
      const id = `00000000-0000-7000-8000-${(++n).toString(16).padStart(12, '0')}`;
      const head = (await store.readStream(stream)).at(-1)?.revision;
      await store.append(stream, [{ type, data, metadata: { eventId: id, schemaVersion: 1, occurredAt: '2026-11-25T06:00:00.000Z', actor: 't', correlationId: id, causationId: id, idempotencyKey: null } }],
        { expectedState: head ?? 'no_stream' });
    };
    const published = (version: string, publishedAt: string) => append('policy', 'PolicyVersionPublished', { version, textSha256: 'a'.repeat(64), publishedAt });
    const consent = (subject: string, policyVersion: string, grantedAt: string) => append(`subject-${subject}`, 'ConsentGranted', {
      consentId: `c${n}`, purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion, channel: 'web',
      thirdPartyTransfer: false, crossBorderTransfer: false, publication: false, validUntil: null, grantedAt,
    });
    const accepted = (subject: string, policyVersion: string, mode: string, acceptedAt: string) =>
      append(`subject-${subject}`, 'PolicyAccepted', { policyVersion, mode, acceptedAt, clause: '§1.4' });
    await published('2026-01', '2026-01-10T00:00:00.000Z');
    await published('2026-11', '2026-11-10T00:00:00.000Z');
    await consent('p-1', '2026-01', '2026-02-01T00:00:00.000Z');
    await accepted('p-1', '2026-11', 'implied', '2026-11-18T00:00:00.000Z');
    await accepted('p-1', '2026-01', 'explicit', '2026-11-19T00:00:00.000Z'); // recorded late: 2026-11 stays in force
    await consent('p-2', '2026-01', '2026-02-01T00:00:00.000Z');
    await consent('p-2', '2026-11', '2026-11-20T00:00:00.000Z'); // consenting under the new version accepts it (§2.1)
    const rm = await fresh();
    // batches of two: the versions are published in one batch and named in others
    await new Projector(store, rm, { clock, batchSize: 2 }).catchUp();
    const subjects = (await dumpTables(rm)).rm_subjects!.map((r) => [r.subject_id, r.policy_version, r.policy_accepted_mode]);
    expect(subjects).toEqual([['p-1', '2026-11', 'implied'], ['p-2', '2026-11', 'consent']]);
    await store.close();
  });

  it('projects a recipient whose name holds NUL, as an older build could store it, and goes on (PostgreSQL stopped on it for good)', async () => {
    const store = memoryStore();
    const id = 'ffffffff-0000-7000-8000-000000000001';
    await store.append('recipient-nul-corp', [{
      type: 'RecipientRegistered', data: { recipientId: 'nul-corp', name: 'Acme\u0000Corp', kind: 'partner', country: 'KZ' },
      metadata: { eventId: id, schemaVersion: 1, occurredAt: '2026-11-25T06:00:00.000Z', actor: 't', correlationId: id, causationId: id, idempotencyKey: null },
    }], { expectedState: 'no_stream' });
    await writeHistory(store, 50, 11);
    const rm = await fresh();
    const projector = new Projector(store, rm, { clock });
    expect(await projector.catchUp()).toBe(Number(await store.headPosition()));
    const name = (await dumpTables(rm)).rm_recipients!.find((r) => r.recipient_id === 'nul-corp')!.name;
    // PostgreSQL's text cannot hold NUL: it is written as U+FFFD there; SQLite keeps it
    expect(name).toBe(target.name === 'postgresql' ? 'Acme\ufffdCorp' : 'Acme\u0000Corp');
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

  it('stops, naming both positions, on an event store that does not hold its checkpoint (restored from a backup, then grown, or replaced)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-restore-'));
    try {
      const store = new SqliteEventStore({ filename: join(dir, 'events.db'), clock });
      await writeHistory(store, 150, 21);
      const online = new Database(join(dir, 'events.db'));
      online.exec(`VACUUM INTO '${join(dir, 'backup.db')}'`); // an online backup
      online.close();
      await writeHistory(store, 150, 22);
      const rm = await fresh();
      await new Projector(store, rm, { clock }).catchUp();
      const checkpoint = await new Projector(store, rm, { clock }).checkpoint();
      expect(checkpoint).toBe(await store.headPosition());
      expect(await new Projector(store, rm, { clock }).catchUp()).toBe(0); // its own store: all is well

      const restored = new SqliteEventStore({ filename: join(dir, 'backup.db'), clock });
      const behind = await new Projector(restored, rm, { clock }).catchUp().catch((e: unknown) => e);
      expect(behind).toBeInstanceOf(CheckpointNotInStoreError);
      expect(behind).toMatchObject({ checkpoint, head: await restored.headPosition() });
      // Written to after the restore, past the old checkpoint: the position exists again,
      // but holds another event; following on would have skipped the events in between.
      await writeHistory(restored, 300, 23);
      expect(await restored.headPosition()).toBeGreaterThan(checkpoint);
      await expect(new Projector(restored, rm, { clock }).catchUp()).rejects.toBeInstanceOf(CheckpointNotInStoreError);
      const following = new AbortController();
      await expect(new Projector(restored, rm, { clock }).run(following.signal)).rejects.toBeInstanceOf(CheckpointNotInStoreError);
      expect(await new Projector(store, rm, { clock }).checkpoint()).toBe(checkpoint); // nothing applied meanwhile

      // a checkpoint from before migration 005 names no event: its position alone is checked
      await rm.db.updateTable('rm_checkpoints').set({ event_id: null }).execute();
      expect(await new Projector(store, rm, { clock }).catchUp()).toBe(0);
      const backup = new SqliteEventStore({ filename: join(dir, 'backup-2.db'), clock });
      await writeHistory(backup, 100, 24);
      await expect(new Projector(backup, rm, { clock }).catchUp()).rejects.toBeInstanceOf(CheckpointNotInStoreError);
      for (const s of [store, restored, backup]) await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it('kill -9 at 50 random points while consuming 10,000 events: the final state equals a from-scratch rebuild', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
    const storeFile = join(dir, 'events.db');
    const store = new SqliteEventStore({ filename: storeFile, clock });
    expect(await writeHistory(store, 10_000, 42)).toBeGreaterThanOrEqual(10_000);
    const head = await store.headPosition();

    // Calibrate: how many statements does one uninterrupted catch-up take?
    const scratch = await fresh();
    let statementsToCatchUp = 0;
    const count = patchStatements(scratch, () => void statementsToCatchUp++);
    await new Projector(store, scratch, { clock, batchSize: 250 }).catchUp();
    count();

    const rm = await fresh();
    const { target: where, schema } = locationOf(rm);
    const rnd = seeded(5);
    const crashedAt: bigint[] = [];
    // Each round is a new process that SIGKILLs itself at a drawn statement, inside or
    // between transactions; the next resumes from whatever the engine kept. The draw's
    // mean is a 50th of the run plus the half batch each kill throws away (in the
    // engine's own statements per batch: SQLite splits upserts into more statements).
    const statementsPerBatch = statementsToCatchUp / Math.ceil(Number(head) / 250);
    while (crashedAt.length < 50) {
      const killAfter = 1 + rnd.int(2 * Math.ceil(statementsToCatchUp / 50 + statementsPerBatch / 2));
      const batchSize = 50 + rnd.int(400);
      const signal = await runProjectorProcess([storeFile, where, schema, String(batchSize), String(killAfter)]);
      if (signal !== 'SIGKILL') break; // caught up before the kill point
      crashedAt.push(await new Projector(store, rm, { clock }).checkpoint());
    }
    expect(crashedAt).toHaveLength(50);
    expect(crashedAt.filter((p) => p < head / 4n).length).toBeGreaterThan(0);
    expect(crashedAt.filter((p) => p > (head * 3n) / 4n).length).toBeGreaterThan(0);

    await new Projector(store, rm, { clock }).catchUp();
    const rebuilt = await fresh();
    await new Projector(store, rebuilt, { clock }).catchUp();
    expect(await dumpTables(rm)).toEqual(await dumpTables(rebuilt));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});

/** Where a child process finds the same read-model tables as `rm`. */
function locationOf(rm: ReadModelDatabase): { target: string; schema: string } {
  const l = rm.location;
  return 'filename' in l ? { target: l.filename, schema: '-' } : { target: l.url, schema: l.schema ?? 'public' };
}

/** Runs the projector in a child process; resolves with the signal that ended it, if any. */
function runProjectorProcess(args: string[]): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'testing/projector-process.ts'), ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SWC_NODE_PROJECT: join(__dirname, '../../../tsconfig.json') },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => (signal ? resolve(signal) : code === 0 ? resolve(null) : reject(new Error(`projector process exited with ${code}`))));
  });
}
