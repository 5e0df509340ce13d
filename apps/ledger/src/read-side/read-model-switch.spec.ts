import pino from 'pino';
import type { ReadModelDatabase, ReadModelGenerations } from '@ledger/read-models';
import { ReadModelSwitch } from './read-model-switch';

/** Generations whose pointer the test moves; `opened` lists what was opened, in order. */
function generations(first: string) {
  let pointer: string | Error = first;
  const opened: string[] = [];
  const fake = {
    current: async () => {
      if (pointer instanceof Error) throw pointer;
      return pointer;
    },
    open: async (name: string) => {
      opened.push(name);
      await new Promise((r) => setImmediate(r)); // opening takes a turn, as migrating does
      return { close: async () => undefined } as unknown as ReadModelDatabase;
    },
  } as unknown as ReadModelGenerations;
  return { fake, opened, point: (to: string | Error) => (pointer = to) };
}

/** PostgreSQL's undefined_table, as node-postgres reports it */
const dropped = Object.assign(new Error('relation "rm_subjects" does not exist'), { code: '42P01', severity: 'ERROR' });

describe('ReadModelSwitch.recover', () => {
  const logger = pino({ level: 'silent' });

  it('moves to the generation the pointer names now when the one used was dropped, once for reads failing together', async () => {
    const g = generations('rm_a');
    const s = new ReadModelSwitch(g.fake, logger);
    await s.open(0);
    let switches = 0;
    s.onSwitch(() => switches++);
    g.point('rm_b');
    expect(await Promise.all([s.recover(dropped, 'rm_a'), s.recover(dropped, 'rm_a'), s.recover(dropped, 'rm_a')])).toEqual([true, true, true]);
    expect(s.generation).toBe('rm_b');
    expect(g.opened).toEqual(['rm_a', 'rm_b']);
    expect(switches).toBe(1);
    // a read that failed on rm_a after the switch: answer again, nothing more to follow
    expect(await s.recover(dropped, 'rm_a')).toBe(true);
    expect(g.opened).toEqual(['rm_a', 'rm_b']);
    await s.close();
  });

  it('leaves every other error to stand, without reading the pointer', async () => {
    const g = generations('rm_a');
    const s = new ReadModelSwitch(g.fake, logger);
    await s.open(0);
    g.point('rm_b');
    for (const error of [new Error('no such table: rm_subjects'), Object.assign(new Error('x'), { code: '42703' }), Object.assign(new Error('busy'), { name: 'SqliteError', code: 'SQLITE_BUSY' })]) {
      expect(await s.recover(error, 'rm_a')).toBe(false);
    }
    expect(s.generation).toBe('rm_a');
    await s.close();
  });

  it('says no when the pointer still names the dropped generation, or cannot be read', async () => {
    const g = generations('rm_a');
    const s = new ReadModelSwitch(g.fake, logger);
    await s.open(0);
    expect(await s.recover(dropped, 'rm_a')).toBe(false);
    g.point(new Error('connection refused'));
    expect(await s.recover(dropped, 'rm_a')).toBe(false);
    expect(s.generation).toBe('rm_a');
    await s.close();
  });
});
