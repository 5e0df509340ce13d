import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSubjectDecider, DomainError, subjectStream, WorkingDayCalendar, type SubjectCommand } from '@ledger/domain';
import { SqliteEventStore, WrongExpectedVersionError, type EventStore } from '@ledger/event-store';
import { Pseudonymiser } from '@ledger/crypto';
import type { CommandContext } from '../http/command-context';
import { ProblemException } from '../http/problem';
import { DecisionRunner, type CommandResult } from './decision-runner';
import { DEFAULT_FOLD_LIMITS, type FoldedStreamsLimits } from './folded-streams';

/**
 * The command path on a real SQLite event store, two connections standing for two API
 * processes. The runner keeps each stream's fold between commands (FoldedStreams): these
 * tests show it reads only what is new, sees what another process wrote, and decides
 * exactly as a runner that reads and folds the whole stream every time.
 */
const decider = createSubjectDecider(new WorkingDayCalendar());
const now = new Date('2026-03-02T06:00:00Z');
const secret = Buffer.alloc(32, 7);
const policy = { version: '2026-01', publishedAt: '2026-01-10T00:00:00.000Z' };
const NO_CACHE: FoldedStreamsLimits = { maxStreams: 0, maxEvents: 0 };

type Step =
  | { readonly kind: 'grant' }
  | { readonly kind: 'open' | 'settle' | 'hold' | 'release'; readonly id: string };

const commandOf = (s: Step): SubjectCommand => {
  switch (s.kind) {
    case 'grant':
      return {
        type: 'GrantConsent', now,
        data: {
          consentId: 'c1', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01',
          policy, channel: 'web', thirdPartyTransfer: false, crossBorderTransfer: false, publication: false, validUntil: null,
        },
      };
    case 'open': return { type: 'OpenObligation', now, data: { obligationId: s.id, kind: 'contract' } };
    case 'settle': return { type: 'SettleObligation', now, data: { obligationId: s.id } };
    case 'hold': return { type: 'PlaceLegalHold', now, data: { holdId: s.id, authority: 'court', reference: 'ref-1' } };
    case 'release': return { type: 'ReleaseLegalHold', now, data: { holdId: s.id } };
  }
};

/** A store that counts the events its stream reads return, and the appends refused for a conflict. */
function counting(store: EventStore): { store: EventStore; read: () => number; conflicts: () => number } {
  let read = 0;
  let conflicts = 0;
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'readStream') {
        return async (...args: Parameters<EventStore['readStream']>) => {
          const events = await target.readStream(...args);
          read += events.length;
          return events;
        };
      }
      if (prop === 'append') {
        return async (...args: Parameters<EventStore['append']>) => {
          try {
            return await target.append(...args);
          } catch (error) {
            if (error instanceof WrongExpectedVersionError) conflicts++;
            throw error;
          }
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counted, read: () => read, conflicts: () => conflicts };
}

function runnerOn(store: EventStore, limits: FoldedStreamsLimits = DEFAULT_FOLD_LIMITS, idPrefix = 'id'): DecisionRunner {
  let n = 0;
  return new DecisionRunner(store, { now: () => now }, { next: () => `${idPrefix}-${String(++n).padStart(8, '0')}` }, new Pseudonymiser(secret), limits);
}

const run = (runner: DecisionRunner, subject: string, step: Step, key: string, body: unknown = step): Promise<CommandResult> => {
  const ctx: CommandContext = {
    principal: { name: 'test', role: 'service' }, idempotencyKey: key, expectedRevision: null, correlationId: null,
    request: { route: 'POST /test', params: { subject }, body },
  };
  return runner.run({ decider, streamId: subjectStream(subject), ctx, command: () => commandOf(step) });
};

/** what a caller can see of an outcome, without the ids and positions that differ between stores */
const outcome = async (work: Promise<CommandResult>) => {
  try {
    const r = await work;
    return { replayed: r.replayed, revision: r.revision, events: r.events.map((e) => [e.type, e.revision, e.data]) };
  } catch (error) {
    if (error instanceof DomainError || error instanceof ProblemException) return { refused: error.code };
    throw error;
  }
};

describe('DecisionRunner keeps each stream folded between commands', () => {
  let dir: string;
  const stores: SqliteEventStore[] = [];
  const open = (name = 'events.db') => {
    const s = new SqliteEventStore({ filename: join(dir, name), clock: () => now });
    stores.push(s);
    return s;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-runner-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a command on a subject with 2,000 events reads only the events written since the last one', async () => {
    const memory = new SqliteEventStore({ filename: ':memory:', clock: () => now });
    stores.push(memory);
    const { store, read } = counting(memory);
    const runner = runnerOn(store);
    await run(runner, 'long-1', { kind: 'grant' }, 'key-grant-0001');
    for (let i = 0; i < 1_000; i++) {
      await run(runner, 'long-1', { kind: 'open', id: `o${i}` }, `key-open-${i}`);
      await run(runner, 'long-1', { kind: 'settle', id: `o${i}` }, `key-settle-${i}`);
    }
    const before = read();
    const r = await run(runner, 'long-1', { kind: 'settle', id: 'o5' }, 'key-settle-again').catch((e: unknown) => e);
    // the state is the whole stream's: o5 was settled 1,990 events ago
    expect(r).toBeInstanceOf(DomainError);
    expect((r as DomainError).code).toBe('OBLIGATION_NOT_OPEN');
    const last = await run(runner, 'long-1', { kind: 'open', id: 'o5' }, 'key-open-o5-again');
    expect(last.revision).toBe(2001n);
    // one event (the last settle) read for the refused command, none for the last: without
    // the kept fold each would have read all 2,001
    expect(read() - before).toBeLessThanOrEqual(1);
    // a retry of a command 1,500 events back still finds its first result, by one short read
    const retried = await run(runner, 'long-1', { kind: 'open', id: 'o250' }, 'key-open-250');
    expect(retried).toMatchObject({ replayed: true, revision: 501n });
    expect(retried.events.map((e) => e.type)).toEqual(['ObligationOpened']);
    expect(read() - before).toBeLessThanOrEqual(3);
  });

  it("sees the events another process appended, and replays a retry of that process's command", async () => {
    const a = runnerOn(open(), DEFAULT_FOLD_LIMITS, 'a');
    const b = runnerOn(open(), DEFAULT_FOLD_LIMITS, 'b');
    await run(a, 's1', { kind: 'grant' }, 'key-grant-s1');
    await run(a, 's1', { kind: 'hold', id: 'h1' }, 'key-hold-h1'); // a has s1 folded to revision 1
    await run(b, 's1', { kind: 'open', id: 'o1' }, 'key-open-o1');
    // a decides on b's event: the obligation is open
    await expect(outcome(run(a, 's1', { kind: 'open', id: 'o1' }, 'key-open-o1-a'))).resolves.toEqual({ refused: 'OBLIGATION_EXISTS' });
    const settled = await run(a, 's1', { kind: 'settle', id: 'o1' }, 'key-settle-o1');
    expect(settled.revision).toBe(3n);
    // b retries a's command: the first result, nothing new written
    const retry = await run(b, 's1', { kind: 'settle', id: 'o1' }, 'key-settle-o1');
    expect(retry).toMatchObject({ replayed: true, revision: 3n });
    expect(retry.events.map((e) => e.eventId)).toEqual(settled.events.map((e) => e.eventId));
    // and the same key with another request is refused, by either process
    await expect(outcome(run(b, 's1', { kind: 'settle', id: 'o2' }, 'key-settle-o1'))).resolves.toEqual({ refused: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(outcome(run(a, 's1', { kind: 'settle', id: 'o2' }, 'key-settle-o1'))).resolves.toEqual({ refused: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('two processes racing on one stream: the loser is decided again on the winner\'s events, and both land', async () => {
    const [sa, sb] = [counting(open()), counting(open())];
    const a = runnerOn(sa.store, DEFAULT_FOLD_LIMITS, 'a');
    const b = runnerOn(sb.store, DEFAULT_FOLD_LIMITS, 'b');
    await run(a, 'race', { kind: 'grant' }, 'key-race-grant');
    await run(b, 'race', { kind: 'hold', id: 'h0' }, 'key-race-h0'); // both have the stream folded now
    await run(a, 'race', { kind: 'release', id: 'h0' }, 'key-race-h0-release');
    const results: CommandResult[] = [];
    for (let i = 0; i < 20; i++) {
      // both decide on the same revision; one append wins, the other conflicts, reads the
      // winner's event from the store and lands after it
      results.push(...await Promise.all([
        run(a, 'race', { kind: 'open', id: `a${i}` }, `key-race-a${i}`),
        run(b, 'race', { kind: 'open', id: `b${i}` }, `key-race-b${i}`),
      ]));
    }
    expect(results.every((r) => !r.replayed)).toBe(true);
    expect(results.map((r) => r.revision).sort((x, y) => (x < y ? -1 : 1))).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 3)));
    // they did race: one append of each round was refused and decided again
    expect(sa.conflicts() + sb.conflicts()).toBe(20);
    // and each decides on the other's commands: opening any of them again is refused by either
    await expect(outcome(run(a, 'race', { kind: 'open', id: 'b7' }, 'key-race-again-b7'))).resolves.toEqual({ refused: 'OBLIGATION_EXISTS' });
    await expect(outcome(run(b, 'race', { kind: 'open', id: 'a7' }, 'key-race-again-a7'))).resolves.toEqual({ refused: 'OBLIGATION_EXISTS' });
  });

  it('decides again on up to 9 conflicts in a row, each time on the other process\'s event, and then lands', async () => {
    const other = runnerOn(open(), DEFAULT_FOLD_LIMITS, 'other');
    let interfere = 9;
    let n = 0;
    const base = open();
    // before each of this process's first 9 appends, the other process writes one event first
    const contested = new Proxy(base, {
      get(target, prop, receiver) {
        if (prop === 'append') {
          return async (...args: Parameters<EventStore['append']>) => {
            if (interfere-- > 0) await run(other, 'contested', { kind: 'open', id: `other-${++n}` }, `key-other-${n}`);
            return target.append(...args);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const mine = runnerOn(contested, DEFAULT_FOLD_LIMITS, 'mine');
    await run(other, 'contested', { kind: 'grant' }, 'key-contested-grant');
    const landed = await run(mine, 'contested', { kind: 'open', id: 'mine' }, 'key-contested-mine');
    expect(landed.revision).toBe(10n); // the grant, 9 of the other's, then this one
    const again = await run(other, 'contested', { kind: 'open', id: 'mine' }, 'key-contested-again').catch((e: unknown) => e);
    expect((again as DomainError).code).toBe('OBLIGATION_EXISTS');
  });

  it('keeps at most maxStreams streams and maxEvents events, the least recently read going first', async () => {
    const memory = new SqliteEventStore({ filename: ':memory:', clock: () => now });
    stores.push(memory);
    const { store, read } = counting(memory);
    const runner = runnerOn(store, { maxStreams: 2, maxEvents: 10 });
    for (const s of ['x', 'y', 'z']) {
      await run(runner, s, { kind: 'grant' }, `key-grant-${s}`);
      await run(runner, s, { kind: 'hold', id: 'h0' }, `key-${s}-h0`); // reads the grant, keeps the stream
    }
    // x was read least recently: evicted, so its next command reads its whole stream (2 events)
    let before = read();
    await run(runner, 'x', { kind: 'hold', id: 'h1' }, 'key-x-h1');
    expect(read() - before).toBe(2);
    // z is kept: only the event written since (its hold), not its whole stream
    before = read();
    await run(runner, 'z', { kind: 'release', id: 'h0' }, 'key-z-h0-release');
    expect(read() - before).toBe(1);
    // a stream longer than maxEvents is never kept, and is still decided on all of it
    for (let i = 0; i < 12; i++) await run(runner, 'x', { kind: 'open', id: `o${i}` }, `key-x-o${i}`);
    before = read();
    await expect(outcome(run(runner, 'x', { kind: 'open', id: 'o0' }, 'key-x-o0-again'))).resolves.toEqual({ refused: 'OBLIGATION_EXISTS' });
    expect(read() - before).toBe(15);
  });

  it('property: two processes with kept folds decide every command as one that folds the whole stream each time', async () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.constant({ kind: 'grant' } as const),
      fc.record({ kind: fc.constantFrom('open', 'settle', 'hold', 'release'), id: fc.constantFrom('1', '2') }),
    );
    const call = fc.record({ process: fc.constantFrom(0, 1), subject: fc.constantFrom('p', 'q'), step, key: fc.integer({ min: 0, max: 7 }) });
    let world = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 25 }), async (calls) => {
        world++;
        // distinct id prefixes: two runners on one store must not mint the same event id
        const kept = [runnerOn(open(`k${world}.db`), DEFAULT_FOLD_LIMITS, 'k0'), runnerOn(open(`k${world}.db`), { maxStreams: 1, maxEvents: 4 }, 'k1')];
        const whole = [runnerOn(open(`w${world}.db`), NO_CACHE, 'w0'), runnerOn(open(`w${world}.db`), NO_CACHE, 'w1')];
        for (const c of calls) {
          const key = `key-${c.subject}-${c.key}`;
          const expected = await outcome(run(whole[c.process]!, c.subject, c.step, key));
          const actual = await outcome(run(kept[c.process]!, c.subject, c.step, key));
          expect(actual).toEqual(expected);
        }
        for (const s of stores.splice(0)) await s.close();
      }),
      { numRuns: 40, seed: Number(process.env.FC_SEED ?? 20261128) },
    );
  });
});
