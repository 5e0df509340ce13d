import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReadModelGenerations } from '@ledger/read-models';
import { rebuildReadModelsCommand } from '../../ledger-cli/src/rebuild-read-models';
import { ReadModelSwitch } from '../src/read-side/read-model-switch';
import { freshPostgresDatabase, grantBody, seedReferenceData, startLedger, testPostgres, type Ledger } from './harness';

describe('rebuild of the read models, without downtime', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_GENERATION_POLL_MS: '50' });
    await seedReferenceData(l);
    for (let i = 0; i < 30; i++) {
      await l.command('service', `/v1/subjects/b-${i}/consents`, grantBody());
      await l.command('service', `/v1/subjects/b-${i}/transfers`, {
        recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-11-25T05:00:00Z',
      });
    }
    await l.settled();
  });
  afterAll(() => l.close());

  it('fills a new generation from position 0 while reads and writes go on, then switches to it', async () => {
    const before = await l.read('auditor', '/v1/transfers?limit=1000');
    expect(before.body.items).toHaveLength(30);
    const switcher = l.app.get(ReadModelSwitch);
    const oldGeneration = switcher.generation;

    // readers and a writer keep going for the whole rebuild
    let stop = false;
    const statuses: number[] = [];
    const readers = Array.from({ length: 3 }, async () => {
      while (!stop) {
        statuses.push((await l.call('auditor', 'GET', '/v1/transfers?limit=5')).status);
        // inject() resolves through microtasks alone; yield so timers (the switch poll) run
        await new Promise((r) => setImmediate(r));
      }
    });
    const writer = (async () => {
      for (let i = 30; !stop && i < 60; i++) {
        await l.command('service', `/v1/subjects/b-${i}/consents`, grantBody());
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const logs: string[] = [];
    const result = await rebuildReadModelsCommand({ config: l.config, name: 'rm_test', log: (x) => logs.push(x) });
    expect(result).toMatchObject({ generation: 'rm_test', previous: oldGeneration });
    expect(logs.at(-1)).toContain('rebuilt');
    for (let i = 0; switcher.generation !== 'rm_test'; i++) {
      if (i > 200) throw new Error('the service did not switch');
      await new Promise((r) => setTimeout(r, 10));
    }
    const readsBeforeSwitch = statuses.length;
    // keep reading past the switch too
    while (statuses.length < readsBeforeSwitch + 20) await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await Promise.all([...readers, writer]);

    expect(readsBeforeSwitch).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([200])); // no read failed during rebuild and switch
    expect(await new ReadModelGenerations({ kind: 'sqlite', dir: l.config.dataDir }).current()).toBe('rm_test');
    expect(readdirSync(l.config.dataDir)).toEqual(expect.arrayContaining(['rm_test.db', 'read-models.db']));

    // nothing lost: everything written before, during and after the rebuild is there
    await l.command('service', '/v1/subjects/b-after/consents', grantBody());
    const consents = await l.read('auditor', '/v1/consents?limit=1000&purpose=service-provision');
    const subjects = consents.body.items.map((c: { subjectId: string }) => c.subjectId);
    expect(subjects).toContain('b-after');
    expect(subjects.filter((s: string) => /^b-\d+$/.test(s)).length).toBeGreaterThanOrEqual(30);
    expect((await l.read('auditor', '/v1/transfers?limit=1000')).body.items).toEqual(before.body.items);
    const lag = await l.call('admin', 'GET', '/v1/operations/projections');
    expect(lag.body.projections[0].eventsBehind).toBe(0);
  }, 30_000);
});

/**
 * `--drop-previous` with a service still on the previous generation: its poll has not
 * seen the pointer move (here it never would: LEDGER_GENERATION_POLL_MS is a minute, and
 * the rebuild drops at once). Reads answered 500 on PostgreSQL (relation does not exist).
 */
const postgres = testPostgres('the drop of a generation a service still reads');
describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('a generation dropped under a running service (%s)', (_engine, onPostgres) => {
  const run = !onPostgres || postgres !== null;
  let l: Ledger;
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  beforeAll(async () => {
    if (!run) return;
    if (onPostgres) database = await freshPostgresDatabase(postgres!);
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_GENERATION_POLL_MS: '60000', ...(database ? { DATABASE_URL: database.url } : {}) });
    await seedReferenceData(l);
    for (let i = 0; i < 5; i++) await l.command('service', `/v1/subjects/g-${i}/consents`, grantBody());
    await l.settled();
    // onto a generation of its own first: the default one is never dropped
    await rebuildReadModelsCommand({ config: l.config, name: 'rm_first', log: () => undefined });
    await l.app.get(ReadModelSwitch).follow();
  });
  afterAll(async () => {
    await l?.close();
    await database?.drop();
  });

  (run ? it : it.skip)('answers from the current generation, and the projector goes on there', async () => {
    const switcher = l.app.get(ReadModelSwitch);
    expect(switcher.generation).toBe('rm_first');
    const logs: string[] = [];
    await rebuildReadModelsCommand({ config: l.config, name: 'rm_second', dropPrevious: true, dropAfterMs: 0, log: (x) => logs.push(x) });
    expect(logs.at(-1)).toBe('dropped rm_first');
    expect(await switcher.generations.exists('rm_first')).toBe(false);
    expect(switcher.generation).toBe('rm_first'); // the poll has not moved it

    const consents = await l.call('auditor', 'GET', '/v1/consents?limit=100');
    expect(consents.status).toBe(200);
    expect(consents.body.items.map((c: { subjectId: string }) => c.subjectId).sort()).toEqual(['g-0', 'g-1', 'g-2', 'g-3', 'g-4']);
    const csv = await l.call('auditor', 'GET', '/v1/consents?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.raw.split('\n').filter((line) => line.startsWith('g-'))).toHaveLength(5);
    // PostgreSQL's schema is gone at once; SQLite's open connection still reads the removed
    // file, and the export (a connection of its own) found it gone: both moved on
    expect(switcher.generation).toBe('rm_second');

    await l.command('service', '/v1/subjects/g-after/consents', grantBody());
    const after = await l.read('auditor', '/v1/consents?subjectId=g-after');
    expect(after.status).toBe(200);
    expect(after.body.items).toHaveLength(1);
    expect(l.logs()).not.toContain('unexpected error');
  });
});

describe('a generation pointer that cannot be followed', () => {
  it('is logged at each poll, and the service stays on its generation', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    const l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_GENERATION_POLL_MS: '20' });
    try {
      await seedReferenceData(l);
      await l.command('service', '/v1/subjects/p-1/consents', grantBody());
      await l.settled();
      writeFileSync(join(l.config.dataDir, 'read-models.current'), 'Not A Generation');
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
      expect(l.logs()).toContain('cannot follow the read-model generation pointer');
      expect((await l.read('auditor', '/v1/consents?subjectId=p-1')).body.items).toHaveLength(1);
    } finally {
      process.off('unhandledRejection', record);
      await l.close();
    }
  });
});
