import Database from 'better-sqlite3';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { rebuildReadModelsCommand } from '../../ledger-cli/src/rebuild-read-models';
import { verifyEventStoreCommand } from '../../ledger-cli/src/verify-event-store';
import { ReadModelSwitch } from '../src/read-side/read-model-switch';
import { grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

/**
 * docs/operations.md, "Restoring the event store": the event store comes back from a backup
 * older than the read models. The projector must not carry on from its checkpoint (the
 * events written after the restore would take positions it counts as done, and never be
 * projected): it stops and says so; the API keeps recording; a rebuild brings the read
 * models back in line with the restored store.
 */
describe('event store restored from a backup (e2e)', () => {
  let l: Ledger;
  /** an API replica in a process of its own (LEDGER_ROLES=api): it reads the stored checkpoint */
  let replica: Ledger | undefined;
  afterAll(async () => {
    await replica?.close({ keepData: true });
    await l?.close();
  });

  it('stops the projector with both positions in the log, keeps recording, and recovers by a rebuild', async () => {
    const first = await startLedger();
    const dir = first.dataDir;
    await seedReferenceData(first);
    for (let i = 1; i <= 5; i++) await first.command('service', `/v1/subjects/kept-${i}/consents`, grantBody());
    const online = new Database(join(dir, 'events.db'));
    online.exec(`VACUUM INTO '${join(dir, 'backup.db')}'`);
    online.close();
    for (let i = 1; i <= 5; i++) await first.command('service', `/v1/subjects/lost-${i}/consents`, grantBody());
    await first.settled();
    await first.close({ keepData: true });

    for (const f of ['events.db', 'events.db-wal', 'events.db-shm']) rmSync(join(dir, f), { force: true });
    renameSync(join(dir, 'backup.db'), join(dir, 'events.db'));
    // the operator checks the restored file first (docs/operations.md): every chain whole
    const verified = await verifyEventStoreCommand({ config: first.config, log: () => undefined, out: () => undefined });
    expect(verified).toMatchObject({ breaks: [], events: expect.any(Number) });
    expect(verified.events).toBeGreaterThan(5);

    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_GENERATION_POLL_MS: '50', LEDGER_READ_WAIT_MS: '200' }, dir);
    for (let i = 0; !l.logs().includes('CheckpointNotInStoreError'); i++) {
      if (i > 100) throw new Error('the projector did not report the restored store');
      await new Promise((r) => setTimeout(r, 50));
    }
    const report = JSON.parse(l.logs().split('\n').find((line) => line.includes('CheckpointNotInStoreError'))!);
    expect(report).toMatchObject({ level: 50, err: { name: 'CheckpointNotInStoreError' } });
    expect(BigInt(report.checkpoint)).toBeGreaterThan(BigInt(report.head));
    expect(report.msg).toContain('rebuild-read-models');

    // monitoring sees it from any process: the status route and the metric
    const status = await l.call('admin', 'GET', '/v1/operations/projections');
    expect(status.body.projections[0]).toMatchObject({ checkpointInStore: false, checkpoint: report.checkpoint, head: report.head });
    expect((await l.call('admin', 'GET', '/metrics')).raw).toMatch(/^ledger_projection_checkpoint_in_store 0$/m);

    const written = await l.command('service', '/v1/subjects/after-restore/consents', grantBody());
    expect(written.status).toBe(201);
    const behind = await l.call('auditor', 'GET', `/v1/subjects/after-restore?minPosition=${written.body.position}`);
    expect(behind.body).toMatchObject({ status: 503, code: 'READ_MODEL_BEHIND' });
    // an API replica apart from the projector: the stored checkpoint is past this position,
    // but it names an event the restored store does not hold, so it is not taken for reached
    replica = await startLedger('2026-11-25T05:00:00Z', { LEDGER_ROLES: 'api', LEDGER_GENERATION_POLL_MS: '50', LEDGER_READ_WAIT_MS: '200' }, dir);
    expect(BigInt(written.body.position)).toBeLessThanOrEqual(BigInt(report.checkpoint));
    const onReplica = await replica.call('auditor', 'GET', `/v1/subjects/after-restore?minPosition=${written.body.position}`);
    expect(onReplica.body).toMatchObject({ status: 503, code: 'READ_MODEL_BEHIND', currentPosition: '0' });

    await rebuildReadModelsCommand({ config: l.config, name: 'rm_restored', log: () => undefined });
    const switcher = l.app.get(ReadModelSwitch);
    for (let i = 0; switcher.generation !== 'rm_restored'; i++) {
      if (i > 200) throw new Error('the service did not switch');
      await new Promise((r) => setTimeout(r, 10));
    }
    await l.settled();
    const subjects = (await l.read('auditor', '/v1/subjects?limit=1000')).body.items.map((s: { subjectId: string }) => s.subjectId);
    expect(subjects).toEqual(['after-restore', 'kept-1', 'kept-2', 'kept-3', 'kept-4', 'kept-5']);
    expect((await l.call('admin', 'GET', '/v1/operations/projections')).body.projections[0].checkpointInStore).toBe(true);
    expect((await l.call('admin', 'GET', '/metrics')).raw).toMatch(/^ledger_projection_checkpoint_in_store 1$/m);
    // the projector follows the restored store again
    const next = await l.command('service', '/v1/subjects/after-rebuild/consents', grantBody());
    expect((await l.call('auditor', 'GET', `/v1/subjects/after-rebuild?minPosition=${next.body.position}`)).status).toBe(200);
    // and the replica, once it has switched to the rebuilt generation, answers as well
    const replicaSwitch = replica.app.get(ReadModelSwitch);
    for (let i = 0; replicaSwitch.generation !== 'rm_restored'; i++) {
      if (i > 200) throw new Error('the replica did not switch');
      await new Promise((r) => setTimeout(r, 10));
    }
    const fromReplica = await replica.call('auditor', 'GET', `/v1/subjects/after-restore?minPosition=${written.body.position}`);
    expect(fromReplica.status).toBe(200);
    expect(fromReplica.body.subjectId).toBe('after-restore');
  }, 30_000);
});
