import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { canonical, canonicalWith, GENESIS_HASH, hashCanonicalParts } from '../hash-chain';
import {
  WrongExpectedVersionError,
  type AllFilter, type AppendResult, type EventMetadata, type EventStore, type EventToAppend, type ReadAllOptions,
  type RecordedEvent, type StreamState, type Subscription,
} from '../event-store.port';

export interface SqliteEventStoreOptions {
  /** a file path, or ':memory:' for tests */
  readonly filename: string;
  /** the store's clock, for `recordedAt` */
  readonly clock: () => Date;
  /**
   * Group commit (default on): appends arriving in the same turn of the event loop share
   * one transaction and so one fsync. Off: one transaction — one fsync — per append.
   */
  readonly groupCommit?: boolean;
  /** most appends in one group commit */
  readonly maxBatch?: number;
  /** how often a live subscription looks for events written by another process */
  readonly pollIntervalMs?: number;
  /**
   * Open an existing store without writing to it (an auditor's copy, a file this process
   * may only read): nothing is created, no setting is changed, appends are refused.
   */
  readonly readonly?: boolean;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expectedState: StreamState;
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (e: unknown) => void;
}

/** The store's tables, indexes and triggers. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  event_id  TEXT    NOT NULL UNIQUE,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_type ON events (type, position);
-- The event store is append-only: history is never rewritten, not even by mistake.
CREATE TRIGGER IF NOT EXISTS events_immutable_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER IF NOT EXISTS events_immutable_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
`;

/**
 * WAL pages after which a commit checkpoints them into the database file (SQLite's
 * default is 1,000). The checkpoint runs inside the COMMIT that crosses the mark, on the
 * writer's thread, and syncs the database file besides the WAL: a group commit of 64
 * appends to 64 streams writes ≈100 pages, so with the default every tenth one paid for
 * a checkpoint. With 10,000 (a WAL of ≈40 MiB) group commit at 64 writers ran ≈10%
 * faster on the project's machines, one fsync per append unchanged (docs/benchmarks.md,
 * session 15). Leaving checkpoints out altogether made every fsync slower instead: the
 * WAL then grows, and a file that grows syncs its size with its data, where a reset WAL
 * is written over in place.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;
/** After a checkpoint resets it, a WAL that grew past this (readers held it back) is truncated to it. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * What the store's writing connection gets before its first statement: WAL with
 * synchronous=FULL (an acknowledged append survives power loss), the checkpoint settings
 * above, and the schema. Exported for the benchmark, whose raw inserts are measured on a
 * connection prepared the same way.
 */
export function prepareWriterConnection(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.exec(SCHEMA);
}

/** A row of `SELECT *` read as an array (`raw`): no row object is built for it. */
type RawRow = [position: number, streamId: string, revision: number, eventId: string, type: string, data: string, metadata: string];
const toRecorded = (r: RawRow): RecordedEvent => ({
  streamId: r[1],
  revision: BigInt(r[2]),
  position: BigInt(r[0]),
  eventId: r[3],
  type: r[4],
  data: JSON.parse(r[5]),
  metadata: JSON.parse(r[6]) as EventMetadata,
});

/**
 * The embedded event store (ARCHITECTURE §7): one SQLite file in WAL mode with
 * synchronous=FULL, so an acknowledged append survives power loss, and group commit, so
 * concurrent appends share that fsync.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  /** readAll's statements by their text (one per filter shape), prepared once */
  private readonly readAllStatements = new Map<string, Database.Statement<unknown[], RawRow>>();
  /** transactions committed, for the benchmark and tests of group commit */
  commits = 0;

  private readonly stmt: {
    head: Database.Statement<[string], { revision: number; metadata: string }>;
    byEventId: Database.Statement<[string], { stream_id: string; revision: number }>;
    insert: Database.Statement<[string, number, string, string, string, string]>;
    readStream: Database.Statement<[string, number], RawRow>;
    readStreamPage: Database.Statement<[string, number, number], RawRow>;
    headPosition: Database.Statement<[], { p: number | null }>;
    savepoint: Database.Statement<[]>;
    release: Database.Statement<[]>;
    rollbackTo: Database.Statement<[]>;
    dataVersion: Database.Statement<[], number>;
  };
  /**
   * Stream heads known to this connection, valid while no other connection has written:
   * SQLite's data_version changes exactly when another connection commits.
   */
  private heads = new Map<string, { revision: number; hash: string }>();
  private olderHeads = new Map<string, { revision: number; hash: string }>();
  private knownDataVersion = -1;
  /** `unchangedByOthers`' answer for the rest of this turn of the event loop */
  private unchangedThisTurn: boolean | undefined;

  constructor(private readonly options: SqliteEventStoreOptions) {
    this.db = new Database(options.filename, options.readonly ? { readonly: true, fileMustExist: true } : {});
    this.db.pragma('busy_timeout = 5000');
    if (options.readonly) {
      let tables: string[];
      try {
        tables = this.db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'").pluck().all();
      } catch (error) {
        this.db.close();
        // A WAL-mode file is read through its -shm index, which the reader creates beside
        // it when it is missing: a file alone in a directory this process cannot write
        // cannot be read (better-sqlite3 takes no `immutable` URI).
        if ((error as { code?: string }).code === 'SQLITE_READONLY_DIRECTORY') {
          throw new Error(`cannot read ${options.filename}: SQLite needs to create its -shm file beside it; copy the store (events.db, and events.db-wal if there is one) into a directory this user can write`);
        }
        throw error;
      }
      if (tables.length === 0) {
        this.db.close();
        throw new Error(`${options.filename} is not an event store of the ledger (it has no events table)`);
      }
    } else {
      prepareWriterConnection(this.db);
    }
    this.appended.setMaxListeners(0);
    this.stmt = {
      head: this.db.prepare('SELECT revision, metadata FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1'),
      byEventId: this.db.prepare('SELECT stream_id, revision FROM events WHERE event_id = ?'),
      insert: this.db.prepare(
        'INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      // Two statements, because a bound LIMIT is dear in this SQLite build (STAT4): the
      // same indexed read of a missing stream measured ≈10 µs with `LIMIT ?` against ≈2 µs
      // without, and the unbounded read is the one every command makes.
      readStream: this.db.prepare<[string, number], RawRow>('SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision').raw(true),
      readStreamPage: this.db.prepare<[string, number, number], RawRow>('SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?').raw(true),
      headPosition: this.db.prepare('SELECT MAX(position) AS p FROM events'),
      savepoint: this.db.prepare('SAVEPOINT append'),
      release: this.db.prepare('RELEASE append'),
      rollbackTo: this.db.prepare('ROLLBACK TO append'),
      dataVersion: this.db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
  }

  append(streamId: string, events: readonly EventToAppend[], options: { expectedState: StreamState }): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    if (this.options.readonly) return Promise.reject(new Error('event store is open read-only'));
    if (events.length === 0) return Promise.reject(new RangeError('nothing to append'));
    return new Promise((resolve, reject) => {
      this.queue.push({ streamId, events, expectedState: options.expectedState, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batchSize = this.options.groupCommit === false ? 1 : (this.options.maxBatch ?? 1000);
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, batchSize);
      this.commitBatch(batch);
    }
  }

  private commitBatch(batch: PendingAppend[]): void {
    // Optimistic first: the expected revision is checked before anything is written, so
    // an append normally either writes all its events or nothing, and the batch needs no
    // savepoint per append. Only a statement failing halfway (a duplicate event id: a
    // retry, or a conflict) costs a rollback and a second pass with a savepoint each.
    let outcomes = this.runBatch(batch, false);
    if (outcomes === 'redo') outcomes = this.runBatch(batch, true);
    if (outcomes === 'failed' || outcomes === 'redo') return;
    batch.forEach((req, i) => {
      const o = outcomes[i]!;
      if (o.ok) req.resolve(o.result);
      else req.reject(o.error);
    });
    if (outcomes.some((o) => o.ok)) this.appended.emit('appended');
  }

  /**
   * One transaction, one fsync for the whole batch. Without savepoints it gives up
   * ('redo') at the first append that fails after writing; with them it isolates that
   * append. 'failed': the transaction itself failed, and every append was rejected.
   */
  private runBatch(batch: PendingAppend[], savepoints: boolean): Outcome[] | 'redo' | 'failed' {
    const outcomes: Outcome[] = [];
    // heads written by this batch, published to the cache only once the batch commits
    const heads = new Map<string, { revision: number; hash: string }>();
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const dataVersion = this.stmt.dataVersion.get()!;
      if (dataVersion !== this.knownDataVersion) this.forgetHeads(); // another connection wrote
      const recordedAt = this.options.clock().toISOString(); // one transaction, one time of recording
      for (const req of batch) {
        if (!savepoints) {
          try {
            outcomes.push({ ok: true, result: this.write(req, heads, recordedAt) });
          } catch (error) {
            if (!(error instanceof WrongExpectedVersionError)) {
              this.db.exec('ROLLBACK');
              return 'redo';
            }
            // refused before writing anything: a conflict, or a retry of a stored append
            outcomes.push(this.retryOutcome(req, error));
          }
          continue;
        }
        this.stmt.savepoint.run();
        try {
          outcomes.push({ ok: true, result: this.appendOne(req, heads, recordedAt) });
          this.stmt.release.run();
        } catch (error) {
          this.stmt.rollbackTo.run();
          this.stmt.release.run();
          outcomes.push({ ok: false, error });
        }
      }
      this.db.exec('COMMIT'); // the one fsync the whole batch shares
      this.commits++;
      this.knownDataVersion = dataVersion;
      this.unchangedThisTurn = undefined;
      for (const [stream, head] of heads) this.rememberHead(stream, head);
      return outcomes;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.forgetHeads();
      for (const req of batch) req.reject(error);
      return 'failed';
    }
  }

  private retryOutcome(req: PendingAppend, refusal: unknown): Outcome {
    try {
      const retry = this.idempotentRetry(req);
      return retry ? { ok: true, result: retry } : { ok: false, error: refusal };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Runs inside the batch transaction; `heads` carries stream heads between appends of one batch. */
  private appendOne(req: PendingAppend, heads: Map<string, { revision: number; hash: string }>, recordedAt: string): AppendResult {
    try {
      return this.write(req, heads, recordedAt);
    } catch (error) {
      // A retry of an append that already went through conflicts on the revision or on
      // the event id; only then is it worth looking for the first result.
      const retry = this.idempotentRetry(req);
      if (retry) return retry;
      throw error;
    }
  }

  private write(req: PendingAppend, heads: Map<string, { revision: number; hash: string }>, recordedAt: string): AppendResult {
    let head = heads.get(req.streamId) ?? this.knownHead(req.streamId);
    if (!head) {
      const row = this.stmt.head.get(req.streamId);
      head = row ? { revision: row.revision, hash: (JSON.parse(row.metadata) as EventMetadata).hash } : { revision: -1, hash: GENESIS_HASH };
    }
    const actual = head.revision < 0 ? 'no_stream' : BigInt(head.revision);
    const e = req.expectedState;
    const ok = e === 'any'
      || (e === 'no_stream' && actual === 'no_stream')
      || (e === 'stream_exists' && actual !== 'no_stream')
      || (typeof e === 'bigint' && actual === e);
    if (!ok) throw new WrongExpectedVersionError(req.streamId, e, actual);

    let { revision, hash: prevHash } = head;
    const written: { eventId: string; revision: bigint; position: bigint }[] = [];
    for (const ev of req.events) {
      revision++;
      // canonicalised once: the stored text is the hashed text (plus the hash itself)
      const canonicalData = canonical(ev.data);
      const canonicalMetadataWithoutHash = canonicalWith(ev.metadata, { recordedAt, prevHash });
      const hash = hashCanonicalParts({ streamId: req.streamId, revision: BigInt(revision), type: ev.type, canonicalData, canonicalMetadataWithoutHash, prevHash });
      const metadata = `${canonicalMetadataWithoutHash.slice(0, -1)},"hash":"${hash}"}`;
      const info = this.stmt.insert.run(req.streamId, revision, ev.metadata.eventId, ev.type, canonicalData, metadata);
      written.push({ eventId: ev.metadata.eventId, revision: BigInt(revision), position: BigInt(info.lastInsertRowid) });
      prevHash = hash;
    }
    heads.set(req.streamId, { revision, hash: prevHash });
    return { streamId: req.streamId, nextExpectedRevision: BigInt(revision), position: written.at(-1)!.position, events: written };
  }

  /**
   * KurrentDB's idempotence: appending events whose ids are already stored, in the same
   * stream and order, returns the first result and writes nothing.
   */
  private idempotentRetry(req: PendingAppend): AppendResult | null {
    const first = this.stmt.byEventId.get(req.events[0]!.metadata.eventId);
    if (!first) return null;
    const stored = this.stmt.readStreamPage.all(req.streamId, first.revision, req.events.length).map(toRecorded);
    const same = first.stream_id === req.streamId
      && stored.length === req.events.length
      && stored.every((e, i) => e.eventId === req.events[i]!.metadata.eventId && e.type === req.events[i]!.type);
    if (!same) throw new WrongExpectedVersionError(req.streamId, req.expectedState, BigInt(first.revision));
    const last = stored.at(-1)!;
    return {
      streamId: req.streamId,
      nextExpectedRevision: last.revision,
      position: last.position,
      events: stored.map((e) => ({ eventId: e.eventId, revision: e.revision, position: e.position })),
    };
  }

  async readStream(streamId: string, options: { fromRevision?: bigint; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount;
    const from = options.fromRevision ?? 0n;
    // "Anything after revision n?" of a stream whose head is known, with no other writer
    // since: answered without a lookup (the service asks it of the policy stream on every
    // command; under write load PRAGMA data_version costs about half the indexed read).
    const known = from > 0n ? this.knownHead(streamId) : undefined;
    if (known && from > BigInt(known.revision) && this.unchangedByOthers()) return [];
    const rows = limit === undefined ? this.stmt.readStream.all(streamId, Number(from)) : this.stmt.readStreamPage.all(streamId, Number(from), limit);
    const events = rows.map(toRecorded);
    // read through to the end with no other writer since: that is the head
    const last = events.at(-1);
    if (last && (limit === undefined || events.length < limit) && this.unchangedByOthers()) {
      this.rememberHead(streamId, { revision: Number(last.revision), hash: last.metadata.hash });
    }
    return events;
  }

  /**
   * No other connection has committed since this one's last write transaction — as of the
   * first time it is asked in this turn of the event loop: the answer is kept until the
   * next turn. PRAGMA data_version opens a read transaction on the WAL (≈12 µs a command
   * under load, 4.9% of the grant path's CPU, docs/benchmarks.md, session 16), and the
   * commands of one turn share it. A kept answer makes a read "as of" that moment, a few
   * hundred microseconds early at most — which every read already is by the time its
   * command appends: a command's consistency rests on the expected revision it appends
   * with, checked again inside the write transaction, never on this answer. Another
   * connection's commit after it is found at the next turn, and the heads are forgotten
   * at this connection's next write transaction.
   */
  private unchangedByOthers(): boolean {
    if (this.unchangedThisTurn === undefined) {
      this.unchangedThisTurn = this.knownDataVersion !== -1 && this.stmt.dataVersion.get() === this.knownDataVersion;
      setImmediate(() => { this.unchangedThisTurn = undefined; });
    }
    return this.unchangedThisTurn;
  }

  /** A stream's head as this connection knows it (see `heads`). */
  private knownHead(streamId: string): { revision: number; hash: string } | undefined {
    const head = this.heads.get(streamId);
    if (head) return head;
    const older = this.olderHeads.get(streamId);
    if (older) this.rememberHead(streamId, older); // still in use: keep it
    return older;
  }

  /** Two generations: past 50,000 streams the current one becomes the older, and the older is dropped. */
  private rememberHead(streamId: string, head: { revision: number; hash: string }): void {
    this.heads.set(streamId, head);
    if (this.heads.size > 50_000) {
      this.olderHeads = this.heads;
      this.heads = new Map();
    }
  }

  private forgetHeads(): void {
    this.heads.clear();
    this.olderHeads = new Map();
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAllSync(options.after ?? 0n, options.maxCount ?? 1000, options.filter);
  }

  private readAllSync(after: bigint, maxCount: number, filter?: AllFilter): RecordedEvent[] {
    const where = ['position > ?'];
    const params: unknown[] = [Number(after)];
    if (filter?.streamPrefixes?.length) {
      where.push(`(${filter.streamPrefixes.map(() => "substr(stream_id, 1, ?) = ?").join(' OR ')})`);
      for (const p of filter.streamPrefixes) params.push(p.length, p);
    }
    if (filter?.eventTypes?.length) {
      where.push(`type IN (${filter.eventTypes.map(() => '?').join(', ')})`);
      params.push(...filter.eventTypes);
    }
    params.push(maxCount);
    const text = `SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`;
    let statement = this.readAllStatements.get(text);
    if (!statement) {
      if (this.readAllStatements.size >= 100) this.readAllStatements.clear();
      statement = this.db.prepare<unknown[], RawRow>(text).raw(true);
      this.readAllStatements.set(text, statement);
    }
    return statement.all(...params).map(toRecorded);
  }

  subscribeToAll(options: Omit<ReadAllOptions, 'maxCount'> = {}): Subscription {
    const store = this;
    const abort = new AbortController();
    const pollMs = this.options.pollIntervalMs ?? 250;
    return {
      async *[Symbol.asyncIterator]() {
        let after = options.after ?? 0n;
        while (!abort.signal.aborted && !store.closed) {
          const page = store.readAllSync(after, 500, options.filter);
          for (const e of page) {
            if (abort.signal.aborted) return;
            after = e.position;
            yield e;
          }
          if (page.length > 0) continue;
          // Live: wake on our own appends at once, on another process's within pollMs.
          await store.nextAppendOrTimeout(pollMs, abort.signal);
        }
      },
      async close() {
        abort.abort();
      },
    };
  }

  private nextAppendOrTimeout(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off('appended', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.appended.on('appended', done);
      signal.addEventListener('abort', done);
    });
  }

  /**
   * Calls `listener` after each commit of this connection that recorded an append, so
   * that a reader on another connection in this process (the projector's thread) can be
   * woken at once instead of finding the events within its `pollIntervalMs`.
   */
  onAppended(listener: () => void): () => void {
    this.appended.on('appended', listener);
    return () => void this.appended.off('appended', listener);
  }

  /** Wakes this connection's live subscriptions now: another connection has committed. */
  wake(): void {
    this.appended.emit('appended');
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.stmt.headPosition.get()?.p ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.appended.emit('appended');
    if (this.queue.length > 0) this.flush();
    this.db.close();
  }
}
