import { readdirSync, readlinkSync } from 'node:fs';
import { SqliteEventStore, type RecordedEvent } from '@ledger/event-store';
import { openReadModelDatabase, type ReadModelDatabase } from './database';
import { Projector } from './projector';
import { ReadModelQueries, type Page } from './queries';
import type { ConsentRow } from './schema';
import { writeHistory } from './testing/history';
import { patchStatements } from './testing/fault-injection';
import { dumpTables, readModelTargets } from './testing/targets';

/** descriptors of this process open on `file` (Linux) */
const openFiles = (file: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // closed while listed
    }
  }).length;

const clock = () => new Date('2026-11-25T06:00:00Z');
const HALF = 700n;

async function everyConsent(queries: ReadModelQueries, between?: () => Promise<void>): Promise<ConsentRow[]> {
  const rows: ConsentRow[] = [];
  let cursor: string | undefined;
  do {
    const page: Page<ConsentRow> = await queries.consents({ limit: 50, ...(cursor ? { cursor } : {}) });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (cursor) await between?.();
  } while (cursor);
  return rows;
}

// A CSV export pages through a register while the projector goes on writing: read through
// a snapshot, every page stands for the same position — the checkpoint the snapshot holds —
// and the projector is not held up. On both engines, against a projection stopped at that
// position in a database of its own.
describe.each(readModelTargets().map((t) => [t.name, t] as const))('read-model snapshots on %s', (_, target) => {
  let store: SqliteEventStore;
  let live: ReadModelDatabase;
  let atHalf: ReadModelDatabase;
  let head: bigint;

  beforeAll(async () => {
    store = new SqliteEventStore({ filename: ':memory:', clock });
    await writeHistory(store, 1400, 11);
    head = await store.headPosition();
    atHalf = await target.open();
    await new Projector(store, atHalf, { clock }).catchUp(HALF);
  }, 60_000);

  beforeEach(async () => {
    live = await target.open();
    await new Projector(store, live, { clock }).catchUp(HALF);
  });

  afterEach(() => live.close());

  afterAll(async () => {
    await atHalf.close();
    await store.close();
  });

  it('holds every table as of its checkpoint while the projector writes the rest beside it', async () => {
    const snapshot = await new ReadModelQueries(live).snapshot();
    expect(snapshot.checkpoint.position).toBe(HALF);
    expect(live.openSnapshots).toBe(1);
    // the projector is not blocked by the open snapshot
    expect(await new Projector(store, live, { clock, batchSize: 100 }).catchUp()).toBe(Number(head - HALF));
    expect((await new ReadModelQueries(live).checkpoint()).position).toBe(head);

    expect(await dumpTables({ ...live, db: snapshot.db })).toEqual(await dumpTables(atHalf));
    expect((await snapshot.queries.checkpoint()).position).toBe(HALF);
    await snapshot.release();
    await snapshot.release(); // a second release does nothing
    expect(live.openSnapshots).toBe(0);

    const after = await new ReadModelQueries(live).snapshot();
    expect(after.checkpoint.position).toBe(head);
    expect(await dumpTables(live)).not.toEqual(await dumpTables(atHalf));
    await after.release();
  });

  it('pages through a register as one point of the history, though batches commit between the pages', async () => {
    const projector = new Projector(store, live, { clock, batchSize: 20 });
    const snapshot = await new ReadModelQueries(live).snapshot();
    let moved = 0;
    const rows = await everyConsent(snapshot.queries, async () => {
      moved += await projector.catchUp((projector.lastPosition || HALF) + 20n);
    });
    await snapshot.release();
    expect(moved).toBeGreaterThanOrEqual(100); // the projector moved on between the pages
    expect(rows).toEqual(await everyConsent(new ReadModelQueries(atHalf)));
    // and the tables themselves had moved on: read live, the pages would have mixed positions
    expect(await everyConsent(new ReadModelQueries(live))).not.toEqual(rows);
  });

  it('releases its connection: many exports one after the other leave none open', async () => {
    // SQLite: each snapshot opens the file once more (SQLite keeps one closed descriptor of
    // a file for reuse while another connection holds locks on it); PostgreSQL: each holds
    // one of the pool's 4 connections, so a leak would stall the loop
    const handles = () => ('filename' in live.location ? openFiles(live.location.filename) : 0);
    const before = handles();
    for (let i = 0; i < 50; i++) {
      const s = await new ReadModelQueries(live).snapshot();
      await s.queries.consents({ limit: 5 });
      if (i === 0 && 'filename' in live.location) expect(handles()).toBe(before + 1);
      await s.release();
    }
    expect(live.openSnapshots).toBe(0);
    expect(handles()).toBeLessThanOrEqual(before + 1);
  });
});

let position = 0n;
const recorded = (revision: bigint, type: string, data: Record<string, unknown>, streamId = 'subject-v1'): RecordedEvent => ({
  streamId, revision, position: ++position, eventId: `ev-${position}`, type, data,
  metadata: { eventId: `ev-${position}`, schemaVersion: 1, occurredAt: '2026-11-25T06:00:00.000Z', actor: 't', correlationId: 'c', causationId: 'c', idempotencyKey: null } as RecordedEvent['metadata'],
});

/** The same tables through a connection (or pool) of their own, as another process would open them. */
const anotherConnection = (rm: ReadModelDatabase) => openReadModelDatabase('filename' in rm.location
  ? { kind: 'sqlite', filename: rm.location.filename }
  : { kind: 'postgres', url: rm.location.url, ...(rm.location.schema ? { schema: rm.location.schema } : {}) });

// The subject view is read from five tables. An erasure completing between those reads must
// not show a subject still active with its data gone, or an open erasure already completed.
describe.each(readModelTargets().map((t) => [t.name, t] as const))('the subject view on %s', (_, target) => {
  it('is read as one: a batch committed between its reads shows in all of them or none', async () => {
    const rm = await target.open();
    const writer = anotherConnection(rm);
    try {
      await new Projector(new SqliteEventStore({ filename: ':memory:', clock }), rm, { clock }).apply([
        recorded(0n, 'ConsentGranted', {
          consentId: 'c1', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01',
          channel: 'web', thirdPartyTransfer: false, crossBorderTransfer: false, publication: false, validUntil: null, grantedAt: '2026-11-01T06:00:00.000Z',
        }),
        recorded(1n, 'PersonalDataRecorded', { category: 'email-address', source: 'subject', value: { alg: 'A256GCM', v: 1, iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' }, action: 'recorded' }),
        recorded(2n, 'ErasureScheduled', { erasureId: 'er1', reason: 'destruction-demanded', withdrawalId: null, receivedOn: '2026-11-02', dueOn: '2026-12-15', clause: '§2.10' }),
      ]);
      const erasure = [
        recorded(3n, 'ErasureStarted', { erasureId: 'er1', startedAt: '2026-12-16T06:00:00.000Z', awaiting: [], clause: '§2.10' }),
        recorded(4n, 'DataKeyShredded', { erasureId: 'er1', shreddedAt: '2026-12-16T06:00:01.000Z', clause: '§2.10' }),
        recorded(5n, 'ErasureCompleted', { erasureId: 'er1', completedAt: '2026-12-16T06:00:01.000Z', clause: '§2.10' }),
      ];
      // once the subject's row has been read, another connection commits the erasure before
      // any other table of the view is read
      let committed: Promise<void> | null = null;
      patchStatements(rm, async (text) => {
        if (/rm_(consents|personal_data|policy_acceptances|erasures)/.test(text)) {
          await (committed ??= new Projector(new SqliteEventStore({ filename: ':memory:', clock }), writer, { clock }).apply(erasure));
        }
      });
      const view = (await new ReadModelQueries(rm).subject('v1'))!;
      expect(committed).not.toBeNull();
      expect(view.subject).toMatchObject({ status: 'active', open_erasure_id: 'er1' });
      expect(view.personalData.map((r) => r.category)).toEqual(['email-address']);
      expect(view.openErasure).toMatchObject({ erasure_id: 'er1', status: 'scheduled' });
      // read again: all of the erasure
      const after = (await new ReadModelQueries(rm).subject('v1'))!;
      expect(after.subject).toMatchObject({ status: 'erased', open_erasure_id: null });
      expect(after.personalData).toEqual([]);
    } finally {
      await writer.close();
      await rm.close();
    }
  });

  it('so are recipients with their agreements (§4.4): an agreement ended between the reads shows ended or not at all', async () => {
    const rm = await target.open();
    const writer = anotherConnection(rm);
    const stream = 'recipient-de-processor';
    try {
      await new Projector(new SqliteEventStore({ filename: ':memory:', clock }), rm, { clock }).apply([
        recorded(0n, 'RecipientRegistered', { recipientId: 'de-processor', name: 'processor-gmbh', kind: 'processor', country: 'DE' }, stream),
        recorded(1n, 'ConfidentialityAgreementRecorded', { reference: 'NDA-2', signedOn: '2026-01-15', expiresOn: null, clause: '§4.4' }, stream),
      ]);
      let committed: Promise<void> | null = null;
      patchStatements(rm, async (text) => {
        if (/rm_recipient_agreements/.test(text)) {
          await (committed ??= new Projector(new SqliteEventStore({ filename: ':memory:', clock }), writer, { clock })
            .apply([recorded(2n, 'ConfidentialityAgreementEnded', { reference: 'NDA-2', endedOn: '2026-11-20', clause: '§4.4' }, stream)]));
        }
      });
      const page = await new ReadModelQueries(rm).recipients(undefined, 10);
      expect(committed).not.toBeNull();
      expect(page.items[0]!.agreements).toEqual([expect.objectContaining({ reference: 'NDA-2', ended_on: null })]);
      expect((await new ReadModelQueries(rm).recipients(undefined, 10)).items[0]!.agreements[0]!.ended_on).toBe('2026-11-20');
    } finally {
      await writer.close();
      await rm.close();
    }
  });
});
