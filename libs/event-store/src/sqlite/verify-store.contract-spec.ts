import fc from 'fast-check';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStore } from '../verify-store';
import { SqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'ledger-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clock = () => new Date('2026-11-25T10:00:00Z');
const ev = (n: number) => {
  const eventId = randomUUID();
  return {
    type: 'Tested', data: { n },
    metadata: { eventId, schemaVersion: 1, occurredAt: '2026-11-25T00:00:00.000Z', actor: 'service:test', correlationId: eventId, causationId: eventId, idempotencyKey: null },
  };
};

/**
 * ARCHITECTURE §5: one changed, removed or reordered event is found, and located, by
 * `verifyStore` — tampering done the way someone with the file would: the store's own
 * triggers dropped, rows rewritten with SQL.
 */
describe('verifyStore on a tampered SQLite file', () => {

  it('names the stream, revision, position and kind of each break, and only the first of a stream', async () => {
    const file = join(dir, 'tampered.db');
    const store = new SqliteEventStore({ filename: file, clock });
    // interleaved in the global order, as real streams are
    for (let r = 0; r < 5; r++) {
      for (const s of ['changed', 'removed', 'swapped', 'untouched', 'cut-short']) {
        await store.append(`subject-${s}`, [ev(r)], { expectedState: r === 0 ? 'no_stream' : BigInt(r - 1) });
      }
    }
    expect((await verifyStore(store)).breaks).toEqual([]);
    await store.close();

    const raw = new Database(file);
    raw.exec('DROP TRIGGER events_immutable_update; DROP TRIGGER events_immutable_delete;');
    const row = (s: string, r: number) => raw.prepare('SELECT position, data, metadata FROM events WHERE stream_id = ? AND revision = ?').get(`subject-${s}`, r) as { position: number; data: string; metadata: string };
    // one value changed
    raw.prepare('UPDATE events SET data = ? WHERE position = ?').run('{"n":99}', row('changed', 1).position);
    // one event removed from the middle
    raw.prepare('DELETE FROM events WHERE position = ?').run(row('removed', 2).position);
    // two events' contents swapped, their revisions left in order
    const [a, b] = [row('swapped', 2), row('swapped', 3)];
    raw.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(b.data, b.metadata, a.position);
    raw.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(a.data, a.metadata, b.position);
    // the last event cut off: no chain can tell (signed checkpoints are for that)
    const last = row('cut-short', 4).position;
    raw.prepare('DELETE FROM events WHERE position = ?').run(last);
    const positions = { changed: row('changed', 1).position, removed: row('removed', 3).position, swapped: a.position };
    raw.close();

    const reopened = new SqliteEventStore({ filename: file, clock });
    const v = await verifyStore(reopened, { pageSize: 3 });
    await reopened.close();
    expect(v.events).toBe(23);
    expect(v.streams).toBe(5);
    // in global order
    expect(v.breaks).toEqual([
      { streamId: 'subject-changed', revision: 1n, position: BigInt(positions.changed), reason: 'hash-mismatch' },
      { streamId: 'subject-swapped', revision: 2n, position: BigInt(positions.swapped), reason: 'prev-hash-mismatch' },
      { streamId: 'subject-removed', revision: 3n, position: BigInt(positions.removed), reason: 'revision-gap' },
    ]);
  });
});

describe('verifyStore, property: any one change to a stored stream is found where it was made', () => {
  type Tamper = 'change' | 'remove' | 'swap';

  it('reports exactly the tampered stream, at the revision and with the reason the change implies', async () => {
    await fc.assert(fc.asyncProperty(
      // events per stream (3 streams, interleaved in the global order by round-robin appends)
      fc.array(fc.integer({ min: 3, max: 8 }), { minLength: 3, maxLength: 3 }),
      fc.constantFrom<Tamper>('change', 'remove', 'swap'),
      fc.nat(2), fc.nat(100),
      async (sizes, kind, stream, pick) => {
        const file = join(dir, `${randomUUID()}.db`);
        const store = new SqliteEventStore({ filename: file, clock });
        for (let r = 0; r < Math.max(...sizes); r++) {
          for (let s = 0; s < sizes.length; s++) {
            if (r < sizes[s]!) await store.append(`s-${s}`, [ev(r)], { expectedState: r === 0 ? 'no_stream' : BigInt(r - 1) });
          }
        }
        await store.close();
        // a revision with an event after it (a removal at the very end is what chains cannot see)
        const revision = pick % (sizes[stream]! - 1);
        const raw = new Database(file);
        raw.exec('DROP TRIGGER events_immutable_update; DROP TRIGGER events_immutable_delete;');
        const row = (r: number) => raw.prepare('SELECT position, data, metadata FROM events WHERE stream_id = ? AND revision = ?').get(`s-${stream}`, r) as { position: number; data: string; metadata: string };
        const at = row(revision);
        let expected: { revision: bigint; position: number; reason: string };
        if (kind === 'change') {
          raw.prepare('UPDATE events SET data = ? WHERE position = ?').run('{"n":-1}', at.position);
          expected = { revision: BigInt(revision), position: at.position, reason: 'hash-mismatch' };
        } else if (kind === 'remove') {
          raw.prepare('DELETE FROM events WHERE position = ?').run(at.position);
          expected = { revision: BigInt(revision + 1), position: row(revision + 1).position, reason: 'revision-gap' };
        } else {
          const next = row(revision + 1);
          raw.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(next.data, next.metadata, at.position);
          raw.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(at.data, at.metadata, next.position);
          expected = { revision: BigInt(revision), position: at.position, reason: 'prev-hash-mismatch' };
        }
        raw.close();
        const reopened = new SqliteEventStore({ filename: file, clock });
        const v = await verifyStore(reopened, { pageSize: 4 });
        await reopened.close();
        expect(v.breaks).toEqual([{ streamId: `s-${stream}`, revision: expected.revision, position: BigInt(expected.position), reason: expected.reason }]);
      },
    ), { numRuns: 40, seed: 20261128 });
  }, 60_000);
});
