import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { ReadModelGenerations, rebuildReadModels, type ReadModelLocation } from './generations';
import { Projector } from './projector';
import { dumpTables } from './testing/targets';
import { writeHistory } from './testing/history';

const clock = () => new Date('2026-11-25T06:00:00Z');
const locations: [string, () => ReadModelLocation][] = [['sqlite', () => ({ kind: 'sqlite', dir: mkdtempSync(join(tmpdir(), 'ledger-gen-')) })]];
if (process.env.LEDGER_TEST_DATABASE_URL) locations.push(['postgresql', () => ({ kind: 'postgres', url: process.env.LEDGER_TEST_DATABASE_URL! })]);

describe.each(locations)('read-model generations on %s', (_, location) => {
  it('rebuilds into a new generation equal to the live one, activates it, and drops the old one on request', async () => {
    const store = new SqliteEventStore({ filename: ':memory:', clock });
    await writeHistory(store, 500, 9);
    const generations = new ReadModelGenerations(location());
    const suffix = Date.now().toString(36);
    // a live generation, projected as the service would
    await generations.activate(`live_${suffix}`);
    const live = await generations.open(`live_${suffix}`);
    await new Projector(store, live, { clock }).catchUp();

    const result = await rebuildReadModels({ store, generations, name: `rebuilt_${suffix}`, clock, batchSize: 64 });
    expect(result).toMatchObject({ generation: `rebuilt_${suffix}`, previous: `live_${suffix}`, position: await store.headPosition() });
    expect(await generations.current()).toBe(`rebuilt_${suffix}`);
    const rebuilt = await generations.open(`rebuilt_${suffix}`);
    expect(await dumpTables(rebuilt)).toEqual(await dumpTables(live));

    await expect(generations.drop(`rebuilt_${suffix}`)).rejects.toThrow(/current/);
    // a rebuild into a generation that exists (here the current one) is refused, not a silent no-op
    await expect(rebuildReadModels({ store, generations, name: `rebuilt_${suffix}`, clock })).rejects.toThrow(/already exists and is the current one/);
    await expect(rebuildReadModels({ store, generations, name: `live_${suffix}`, clock })).rejects.toThrow(/already exists;/);
    await live.close();
    await generations.drop(`live_${suffix}`);
    await rebuilt.close();
    // leave the shared database as it was found
    await generations.activate(generations.defaultGeneration);
    await generations.drop(`rebuilt_${suffix}`);
    await store.close();
  }, 60_000);

  it('refuses a name it could not hold, before anything is written, saying what a name may be', async () => {
    const store = new SqliteEventStore({ filename: ':memory:', clock });
    const generations = new ReadModelGenerations(location());
    const before = await generations.current();
    const names = ['BAD', '1st', 'rm x', `rm_${'x'.repeat(41)}`, ...(location().kind === 'postgres' ? ['rm-2026'] : [])];
    for (const name of names) {
      await expect(rebuildReadModels({ store, generations, name, clock })).rejects.toThrow(/^invalid read-model generation name: lower-case letters, digits/);
    }
    expect(await generations.current()).toBe(before);
    await store.close();
  });
});
