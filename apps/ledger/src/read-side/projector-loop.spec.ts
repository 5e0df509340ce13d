import type { Logger } from 'pino';
import type { Projector } from '@ledger/read-models';
import { ProjectorLoop, type GenerationFollower } from './projector-loop';

/** A projector whose first run fails with `error`; later runs wait until stopped. */
function failingOnce(error: unknown) {
  let runs = 0;
  const projector = {
    reset: () => undefined,
    run: async (signal: AbortSignal) => {
      runs++;
      if (runs === 1) throw error;
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    },
  } as unknown as Projector;
  return { projector, runs: () => runs };
}

const logger = () => {
  const lines: { level: string; fields: unknown; msg: string }[] = [];
  const log = (level: string) => (fields: unknown, msg: string) => lines.push({ level, fields, msg });
  return { lines, logger: { warn: log('warn'), error: log('error') } as unknown as Logger };
};

/** PostgreSQL's undefined_table, as node-postgres reports it */
const dropped = Object.assign(new Error('relation "rm_checkpoints" does not exist'), { code: '42P01', severity: 'ERROR' });

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('ProjectorLoop and a dropped read-model generation', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('reads the pointer at once and goes on in the current generation, without the pause after an error', async () => {
    const { projector, runs } = failingOnce(dropped);
    const asked: [unknown, string][] = [];
    const follower: GenerationFollower = {
      generation: 'rm_old',
      async recover(error, used) {
        asked.push([error, used]);
        (this as { generation: string }).generation = 'rm_new';
        return true;
      },
    };
    const { lines, logger: log } = logger();
    const loop = new ProjectorLoop(projector, log, follower);
    loop.start();
    await turns(10); // no timer advanced: the 1 s pause after an error has not passed
    expect(runs()).toBe(2);
    expect(asked).toEqual([[dropped, 'rm_old']]);
    expect(lines).toEqual([{ level: 'warn', fields: { from: 'rm_old', to: 'rm_new' }, msg: expect.stringContaining('was dropped') }]);
    const stopped = loop.stop();
    await jest.runAllTimersAsync();
    await stopped;
  });

  it('pauses as after any error when no other generation is current', async () => {
    const { projector, runs } = failingOnce(dropped);
    const follower: GenerationFollower = { generation: 'rm_old', recover: async () => false };
    const { lines, logger: log } = logger();
    const loop = new ProjectorLoop(projector, log, follower);
    loop.start();
    await turns(10);
    expect(runs()).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(['projector failed; restarting in 1 s']);
    await jest.advanceTimersByTimeAsync(1000);
    await turns(10);
    expect(runs()).toBe(2);
    const stopped = loop.stop();
    await jest.runAllTimersAsync();
    await stopped;
  });
});
