import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { verifyChain } from '../hash-chain';
import { verifyStore } from '../verify-store';
import { WrongExpectedVersionError, type AppendResult } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'ledger-es-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clock = () => new Date('2026-11-25T10:00:00Z');

describeEventStoreContract('sqlite (file, group commit)', async () =>
  new SqliteEventStore({ filename: join(dir, `${randomUUID()}.db`), clock }));
describeEventStoreContract('sqlite (file, one fsync per append)', async () =>
  new SqliteEventStore({ filename: join(dir, `${randomUUID()}.db`), clock, groupCommit: false }));

describe('SqliteEventStore specifics', () => {
  const meta = (eventId: string) => ({
    eventId, schemaVersion: 1, occurredAt: '2026-11-25T00:00:00.000Z', actor: 't', correlationId: eventId, causationId: eventId, idempotencyKey: null,
  });

  it('runs in WAL mode with synchronous=FULL, so acknowledged appends survive power loss, checkpointing every 10,000 pages', async () => {
    const file = join(dir, 'durable.db');
    const store = new SqliteEventStore({ filename: file, clock });
    await store.append('s-1', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' });
    const raw = new Database(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    // synchronous is per connection: read it through the store's own connection
    const own = (store as unknown as { db: Database.Database }).db;
    expect(own.pragma('synchronous', { simple: true })).toBe(2);
    // checkpoints every ≈40 MiB of WAL rather than SQLite's 4 MiB, on the writer's connection
    expect([own.pragma('wal_autocheckpoint', { simple: true }), own.pragma('journal_size_limit', { simple: true })]).toEqual([10_000, 64 * 1024 * 1024]);
    await store.close();
  });

  it('shares one commit among concurrent appends (group commit)', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'group.db'), clock });
    await Promise.all(Array.from({ length: 64 }, (_, i) =>
      store.append(`s-${i}`, [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' })));
    expect(store.commits).toBeLessThanOrEqual(2);
    const single = new SqliteEventStore({ filename: join(dir, 'single.db'), clock, groupCommit: false });
    await Promise.all(Array.from({ length: 64 }, (_, i) =>
      single.append(`s-${i}`, [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' })));
    expect(single.commits).toBe(64);
    await store.close();
    await single.close();
  });

  it('stamps recordedAt from its clock once for each transaction: the events of one group commit share it, the next commit reads the clock again', async () => {
    let tick = 0;
    const ticking = () => new Date(Date.UTC(2026, 10, 25, 10, 0, tick++));
    const store = new SqliteEventStore({ filename: join(dir, `${randomUUID()}.db`), clock: ticking });
    await Promise.all(['a', 'b', 'c'].map((s) =>
      store.append(s, [{ type: 'T', data: {}, metadata: meta(randomUUID()) }, { type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' })));
    await store.append('a', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 1n });
    expect(store.commits).toBe(2);
    const stamps = (await store.readAll()).map((e) => e.metadata.recordedAt);
    expect(stamps).toEqual([...Array(6).fill('2026-11-25T10:00:00.000Z'), '2026-11-25T10:00:01.000Z']);
    // the stamp is part of what each hash covers
    expect(verifyChain(await store.readStream('a'))).toBeNull();
    await store.close();
  });

  it('tells a listener after each commit, and wakes another connection\'s live subscription at once (the projector\'s thread)', async () => {
    const file = join(dir, 'wake.db');
    const writer = new SqliteEventStore({ filename: file, clock });
    await writer.append('s-0', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' });
    // a reader that would otherwise look for another connection's events once a minute
    const reader = new SqliteEventStore({ filename: file, clock, readonly: true, pollIntervalMs: 60_000 });
    let commits = 0;
    const off = writer.onAppended(() => {
      commits++;
      reader.wake();
    });
    const subscription = reader.subscribeToAll();
    const it = subscription[Symbol.asyncIterator]();
    expect((await it.next()).value?.streamId).toBe('s-0');
    const next = it.next(); // waits, live
    await writer.append('s-1', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' });
    let timer: NodeJS.Timeout | undefined;
    const woken = await Promise.race([next, new Promise<'still asleep'>((r) => (timer = setTimeout(() => r('still asleep'), 2000)))]);
    clearTimeout(timer);
    expect(woken).toMatchObject({ done: false, value: { streamId: 's-1' } });
    expect(commits).toBe(1);
    off();
    await writer.append('s-2', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' });
    expect(commits).toBe(1); // no longer told
    await subscription.close();
    await reader.close();
    await writer.close();
  });

  it('opens an existing store read-only: it reads and verifies, refuses appends, and changes no byte of the file', async () => {
    const file = join(dir, 'read-only.db');
    const writer = new SqliteEventStore({ filename: file, clock });
    await writer.append('s-1', [{ type: 'T', data: { a: 1 }, metadata: meta(randomUUID()) }, { type: 'T', data: { a: 2 }, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' });
    await writer.close(); // checkpoints the WAL into the file
    const before = readFileSync(file);
    const reader = new SqliteEventStore({ filename: file, clock, readonly: true });
    expect((await reader.readStream('s-1')).map((e) => e.data)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await verifyStore(reader)).toMatchObject({ events: 2, breaks: [] });
    await expect(reader.append('s-1', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 1n })).rejects.toThrow('event store is open read-only');
    await reader.close();
    expect(readFileSync(file).equals(before)).toBe(true);
    // nothing is created where there is no store, and a file that is no store is named as such
    expect(() => new SqliteEventStore({ filename: join(dir, 'missing.db'), clock, readonly: true })).toThrow();
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    expect(() => new SqliteEventStore({ filename: join(dir, 'other.db'), clock, readonly: true })).toThrow(/is not an event store of the ledger/);
  });

  it('refuses to update or delete a stored event', async () => {
    const file = join(dir, 'immutable.db');
    const store = new SqliteEventStore({ filename: file, clock });
    await store.append('s-1', [{ type: 'T', data: { a: 1 }, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' });
    await store.close();
    const raw = new Database(file);
    expect(() => raw.prepare("UPDATE events SET data = '{}'").run()).toThrow(/immutable/);
    expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/immutable/);
    raw.close();
  });

  it('keeps a failed append in a batch from touching the others', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'partial.db'), clock });
    const results = await Promise.allSettled([
      store.append('a', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' }),
      store.append('b', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 3n }),
      store.append('c', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.readStream('b')).toEqual([]);
    expect(await store.readStream('c')).toHaveLength(1);
    await store.close();
  });

  it('answers "nothing new" from its head cache only while no other connection has written', async () => {
    const file = join(dir, 'heads.db');
    const a = new SqliteEventStore({ filename: file, clock });
    const b = new SqliteEventStore({ filename: file, clock });
    await a.append('policy', [{ type: 'T', data: { v: 1 }, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' });
    expect(await a.readStream('policy', { fromRevision: 1n })).toEqual([]);
    // another process publishes: the next tail read must see it, and appends must chain on it
    await b.append('policy', [{ type: 'T', data: { v: 2 }, metadata: meta(randomUUID()) }], { expectedState: 0n });
    expect((await a.readStream('policy', { fromRevision: 1n })).map((e) => e.data)).toEqual([{ v: 2 }]);
    await a.append('policy', [{ type: 'T', data: { v: 3 }, metadata: meta(randomUUID()) }], { expectedState: 1n });
    await expect(a.append('policy', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 1n })).rejects.toThrow(WrongExpectedVersionError);
    expect(await a.readStream('policy', { fromRevision: 3n })).toEqual([]);
    expect(verifyChain(await b.readStream('policy'))).toBeNull();
    // a head learnt from a read (b never wrote this stream) is used for b's next append
    expect(await b.readStream('policy')).toHaveLength(3);
    await b.append('policy', [{ type: 'T', data: { v: 4 }, metadata: meta(randomUUID()) }], { expectedState: 2n });
    expect(verifyChain(await a.readStream('policy'))).toBeNull();
    expect((await a.readStream('policy', { fromRevision: 3n })).map((e) => e.data)).toEqual([{ v: 4 }]);
    await a.close();
    await b.close();
  });

  it('asks whether another connection has written once a turn of the event loop, and finds a commit made after it at the next turn', async () => {
    const file = join(dir, `${randomUUID()}.db`);
    const a = new SqliteEventStore({ filename: file, clock });
    await a.append('policy', [{ type: 'T', data: { v: 1 }, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' });
    const other = new Database(file);
    const otherCommit = () => other.prepare("INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES ('policy', 1, ?, 'T', '{\"v\":2}', '{}')").run(randomUUID());
    await new Promise((r) => setImmediate(r));
    // one turn: the first question is answered from the database, and the answer kept
    const before = a.readStream('policy', { fromRevision: 1n });
    otherCommit();
    const sameTurn = a.readStream('policy', { fromRevision: 1n });
    expect(await before).toEqual([]);
    expect(await sameTurn).toEqual([]); // as of the turn's first question, by design
    // the next turn asks again, and reads the other connection's event
    await new Promise((r) => setImmediate(r));
    expect((await a.readStream('policy', { fromRevision: 1n })).map((e) => e.data)).toEqual([{ v: 2 }]);
    other.close();
    await a.close();
  });

  it('undoes an append that fails halfway (its second event id is taken) without losing the rest of its batch', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'halfway.db'), clock });
    const taken = randomUUID();
    await store.append('x', [{ type: 'T', data: {}, metadata: meta(taken) }], { expectedState: 'no_stream' });
    const retried = randomUUID();
    await store.append('r', [{ type: 'T', data: {}, metadata: meta(retried) }], { expectedState: 'no_stream' });
    const commitsBefore = store.commits;
    const results = await Promise.allSettled([
      store.append('a', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' }),
      store.append('h', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }, { type: 'T', data: {}, metadata: meta(taken) }], { expectedState: 'no_stream' }),
      // a retry of a stored append, without an expected revision: answered from the first result
      store.append('r', [{ type: 'T', data: {}, metadata: meta(retried) }], { expectedState: 'any' }),
      store.append('c', [{ type: 'T', data: {}, metadata: meta(randomUUID()) }], { expectedState: 'no_stream' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await store.readStream('h')).toEqual([]);
    expect(await store.readStream('r')).toHaveLength(1);
    expect((results[2] as PromiseFulfilledResult<AppendResult>).value.nextExpectedRevision).toBe(0n);
    expect((await store.readStream('a')).concat(await store.readStream('c'))).toHaveLength(2);
    expect(store.commits - commitsBefore).toBe(1);
    for (const stream of ['x', 'r', 'a', 'c']) expect(verifyChain(await store.readStream(stream))).toBeNull();
    await store.close();
  });
});
