import type { Worker } from 'node:worker_threads';
import { Projector } from '@ledger/read-models';
import { rebuildReadModelsCommand } from '../../ledger-cli/src/rebuild-read-models';
import { ProjectorThread } from '../src/read-side/projector-thread';
import { ProjectorWorker, ReadModelSwitch, ReadYourWrites } from '../src/read-side/read-side.module';
import { freshPostgresDatabase, grantBody, holdReadModels, seedReferenceData, startLedger, testPostgres, type Ledger } from './harness';

/**
 * LEDGER_PROJECTOR_THREAD (on by default): the projector runs in a worker thread of its
 * own, with its own connections; the service reads the read models it writes the way a
 * replica reads those another process projects. Every other e2e suite runs this way too;
 * this one checks the thread itself: that it, not the service's thread, projects; that
 * its logs reach the service's log; that it follows a rebuild, is started again if it
 * ends, and ends with the service.
 */
describe('the projector in a thread of its own', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_GENERATION_POLL_MS: '50', LEDGER_READ_WAIT_MS: '600' });
    await seedReferenceData(l);
  });
  afterAll(() => l.close());

  const threadWorker = () => (l.app.get(ProjectorThread) as unknown as { worker: Worker | null }).worker;

  it('projects every write in the thread: reads with minPosition see them, the service thread\'s projector never ran', async () => {
    expect(l.app.get(ProjectorThread).enabled).toBe(true);
    expect(l.app.get(ProjectorWorker).running).toBe(false);
    expect((await l.call('admin', 'GET', '/metrics')).raw).toMatch(/^ledger_projector_thread_restarts_total 0$/m);
    for (let i = 0; i < 20; i++) expect((await l.command('service', `/v1/subjects/t-${i}/consents`, grantBody())).status).toBe(201);
    const register = await l.read('auditor', '/v1/subjects?limit=100');
    expect(register.status).toBe(200);
    expect(register.body.items.map((s: { subjectId: string }) => s.subjectId)).toEqual(expect.arrayContaining(['t-0', 't-19']));
    expect(l.app.get(Projector).lastPosition).toBe(0n); // the service thread's projector applied nothing
    expect(await l.app.get(ReadYourWrites).position()).toBeGreaterThan(0n);
  });

  it('sends its log lines to the service\'s log, marked as the thread\'s, and follows a rebuild', async () => {
    await rebuildReadModelsCommand({ config: l.config, name: 'rm_thread', log: () => undefined });
    const switched = () => l.logs().split('\n').filter((line) => line.includes('read models switched to a new generation'));
    for (let i = 0; switched().length < 2; i++) {
      if (i > 400) throw new Error(`both threads should switch: ${switched().join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(switched().filter((line) => line.includes('"thread":"projector"'))).toHaveLength(1);
    // writes after the switch are projected into the new generation
    await l.command('service', '/v1/subjects/after-rebuild/consents', grantBody());
    expect((await l.read('auditor', '/v1/subjects/after-rebuild')).status).toBe(200);
    expect((await l.read('auditor', '/v1/consents?subjectId=after-rebuild')).body.items).toHaveLength(1);
  });

  it('is started again when it ends unasked, and carries on from its checkpoint', async () => {
    const first = threadWorker();
    expect(first).not.toBeNull();
    await first!.terminate();
    for (let i = 0; threadWorker() === null || threadWorker() === first; i++) {
      if (i > 400) throw new Error('the thread was not started again');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(l.logs()).toContain('projector thread ended; starting it again in 1 s');
    expect((await l.call('admin', 'GET', '/metrics')).raw).toMatch(/^ledger_projector_thread_restarts_total 1$/m);
    await l.command('service', '/v1/subjects/after-restart/consents', grantBody());
    const read = await l.read('auditor', '/v1/consents?subjectId=after-restart');
    expect(read.status).toBe(200);
    expect(read.body.items).toHaveLength(1);
  });

  it('a read waiting for a position while the read models fail answers 503, and leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    // the thread cannot commit while this lock is held: what is written now stays unprojected
    const held = holdReadModels(l);
    const other = held.db;
    try {
      const written = await l.command('service', '/v1/subjects/while-failing/consents', grantBody());
      const waiting = l.call('auditor', 'GET', `/v1/subjects?minPosition=${written.body.position}`);
      await new Promise((r) => setTimeout(r, 100));
      other.exec('ALTER TABLE rm_checkpoints RENAME TO rm_checkpoints_away');
      other.exec('COMMIT');
      // the wait looks every 25 ms, and fails each time, to its end (600 ms): it answers
      // with the last position it saw, not a 500 for the missing table; the thread, its
      // batch failed on the missing table, is started again after 1 s
      const answer = await waiting;
      other.exec('ALTER TABLE rm_checkpoints_away RENAME TO rm_checkpoints');
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ code: 'READ_MODEL_BEHIND', requestedPosition: written.body.position });
      expect(BigInt(answer.body.currentPosition)).toBeLessThan(BigInt(written.body.position));
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
      // the thread, ended by the missing table, is started again and projects the write
      for (let i = 0; (await l.app.get(ReadYourWrites).position()) < BigInt(written.body.position); i++) {
        if (i > 200) throw new Error('the projector thread did not recover');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      held.release();
      process.off('unhandledRejection', record);
    }
  });

  it('ends with the service, promptly', async () => {
    const other = await startLedger('2026-11-25T05:00:00Z');
    await seedReferenceData(other);
    await other.command('service', '/v1/subjects/closing/consents', grantBody());
    const worker = (other.app.get(ProjectorThread) as unknown as { worker: Worker | null }).worker;
    expect(worker).not.toBeNull();
    const exited = new Promise<number>((resolve) => worker!.once('exit', resolve));
    const started = process.hrtime.bigint();
    await other.close();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5000);
    await exited; // the thread is gone, not left running
    expect(other.logs()).not.toContain('projector thread ended');
  });
});

describe('LEDGER_PROJECTOR_THREAD=off', () => {
  it('projects in the service\'s thread', async () => {
    const l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_PROJECTOR_THREAD: 'off' });
    try {
      await seedReferenceData(l);
      await l.command('service', '/v1/subjects/in-process/consents', grantBody());
      expect((await l.read('auditor', '/v1/subjects/in-process')).status).toBe(200);
      expect(l.app.get(ProjectorThread).enabled).toBe(false);
      expect(l.app.get(ProjectorWorker).running).toBe(true);
      expect(l.app.get(Projector).lastPosition).toBeGreaterThan(0n);
    } finally {
      await l.close();
    }
  });
});

/**
 * The service on PostgreSQL read models (DATABASE_URL), the projector in its thread with
 * its own pool, on a database of its own per run.
 */
const postgres = testPostgres('the service with its projector thread');
(postgres ? describe : describe.skip)('the service on PostgreSQL read models, projected in the thread', () => {
  let l: Ledger;
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  let closed = false;
  beforeAll(async () => {
    database = await freshPostgresDatabase(postgres!);
    l = await startLedger('2026-11-25T05:00:00Z', { DATABASE_URL: database.url, LEDGER_GENERATION_POLL_MS: '50' });
    await seedReferenceData(l);
  });
  afterAll(async () => {
    if (!closed) await l?.close();
    await database?.drop();
  });

  it('projects commands into PostgreSQL, answers reads that wait for them, and follows a rebuild into a new schema', async () => {
    expect(l.app.get(ProjectorThread).enabled).toBe(true);
    l.clock.set('2026-11-19T00:00:00Z'); // consents before the transfers (§3.2)
    for (let i = 0; i < 10; i++) expect((await l.command('service', `/v1/subjects/pg-${i}/consents`, grantBody({ crossBorderTransfer: true }))).status).toBe(201);
    l.clock.set('2026-11-25T05:00:00Z');
    for (let i = 0; i < 10; i++) {
      expect((await l.command('service', `/v1/subjects/pg-${i}/transfers`, {
        recipientId: 'de-processor', purpose: 'service-provision', categories: ['email-address'], form: 'pseudonymised', transferredAt: '2026-11-25T04:00:00Z',
      })).status).toBe(201);
    }
    const transfers = await l.read('auditor', '/v1/transfers?crossBorder=true&limit=100');
    expect(transfers.status).toBe(200);
    expect(transfers.body.items).toHaveLength(10);
    expect(l.app.get(Projector).lastPosition).toBe(0n); // projected in the thread

    await rebuildReadModelsCommand({ config: l.config, name: 'rm_pg_thread', log: () => undefined });
    for (let i = 0; l.app.get(ReadModelSwitch).generation !== 'rm_pg_thread' || !l.logs().includes('"thread":"projector"'); i++) {
      if (i > 400) throw new Error('the service and its projector thread should both switch to the rebuilt generation');
      await new Promise((r) => setTimeout(r, 10));
    }
    await l.command('service', '/v1/subjects/pg-after/consents', grantBody());
    expect((await l.read('auditor', '/v1/consents?subjectId=pg-after')).body.items).toHaveLength(1);
    expect((await l.read('auditor', '/v1/transfers?limit=100')).body.items).toHaveLength(10);

    // the generation switched away from is closed with the service, not 5 s after the switch:
    // its pooled connections held the thread (and the shutdown) open until then
    const started = process.hrtime.bigint();
    await l.close();
    closed = true;
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(3000);
  });
});
