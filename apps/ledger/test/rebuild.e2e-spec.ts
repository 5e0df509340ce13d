import { readdirSync } from 'node:fs';
import { ReadModelGenerations } from '@ledger/read-models';
import { rebuildReadModelsCommand } from '../../ledger-cli/src/rebuild-read-models';
import { ReadModelSwitch } from '../src/read-side/read-model-switch';
import { grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

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
