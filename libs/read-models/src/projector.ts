import type { Kysely, Transaction } from 'kysely';
import { CheckpointNotInStoreError, holdsCheckpoint, type EventStore, type RecordedEvent } from '@ledger/event-store';
import type { ReadModelDatabase } from './database';
import type { RowWriter } from './row-writer';
import { needsOf, project, RowSet, type Needs } from './projection';
import { PRIMARY_KEYS, PROJECTED_TABLES, type ReadModelTables } from './schema';

export interface ProjectorOptions {
  /** the checkpoint's name; one per set of tables */
  readonly name?: string;
  /** most events applied in one transaction */
  readonly batchSize?: number;
  readonly clock: () => Date;
}

export interface BatchApplied {
  readonly events: number;
  readonly position: bigint;
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Follows the event store's global order into the read models. Each batch is one
 * transaction: load the rows it touches, apply the events in memory, write the changed
 * rows with multi-row upserts, move the checkpoint. A crash anywhere leaves either the
 * whole batch or none of it; the next run starts after the stored checkpoint.
 */
export class Projector {
  private readonly name: string;
  private readonly batchSize: number;
  private position = 0n;
  private readonly listeners = new Set<(b: BatchApplied) => void>();

  private readonly source: () => ReadModelDatabase;

  /** `rm` may be a getter: the service swaps read-model generations under a running projector. */
  constructor(private readonly store: EventStore, rm: ReadModelDatabase | (() => ReadModelDatabase), private readonly options: ProjectorOptions) {
    this.name = options.name ?? 'read-models';
    this.batchSize = options.batchSize ?? 1000;
    this.source = typeof rm === 'function' ? rm : () => rm;
  }

  private get rm(): ReadModelDatabase {
    return this.source();
  }

  /** Forgets the position held in memory (after a generation switch); run() reloads it. */
  reset(): void {
    this.position = 0n;
  }

  /** The position of the last event applied (as stored). */
  async checkpoint(): Promise<bigint> {
    await this.loadCheckpoint();
    return this.position;
  }

  /** Reads the stored checkpoint into `position`; returns its row (undefined before the first batch). */
  private async loadCheckpoint() {
    const row = await this.rm.db.selectFrom('rm_checkpoints').select(['position', 'event_id']).where('projection', '=', this.name).executeTakeFirst();
    this.position = row ? BigInt(row.position) : 0n;
    return row;
  }

  /**
   * The checkpoint, once the event store is found to hold the event it names (same
   * position, same id; before migration 005 a checkpoint has no id, and the position
   * alone is checked). Else CheckpointNotInStoreError.
   */
  async verifiedCheckpoint(): Promise<bigint> {
    const row = await this.loadCheckpoint();
    if (row && !(await holdsCheckpoint(this.store, this.position, row.event_id))) {
      const checkpoint = this.position;
      // Claim no position: a read waiting for its own write must not take the stale
      // checkpoint for the projector having got there.
      this.position = 0n;
      throw new CheckpointNotInStoreError(`read-model (${this.name})`, checkpoint, await this.store.headPosition(),
        'Rebuild the read models (rebuild-read-models).');
    }
    return this.position;
  }

  get lastPosition(): bigint {
    return this.position;
  }

  onBatch(listener: (b: BatchApplied) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async apply(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const last = events.at(-1)!.position;
    await this.rm.db.transaction().execute(async (trx) => {
      // Re-read the checkpoint inside the transaction: another projector, or this one
      // before a restart, may already have applied part of the batch.
      // All checkpoints on these tables (a handful of rows): ours, and whether any other
      // projector has written further than we have.
      let q = trx.selectFrom('rm_checkpoints').select(['projection', 'position', 'event_id']);
      if (this.rm.kind === 'postgres') q = q.forUpdate();
      const checkpoints = await q.execute();
      const stored = checkpoints.find((c) => c.projection === this.name);
      const done = stored ? BigInt(stored.position) : 0n;
      const alone = checkpoints.every((c) => c.projection === this.name || BigInt(c.position) <= done);
      const fresh = events.filter((e) => e.position > done);
      if (fresh.length > 0) {
        const rows = new RowSet();
        await load(trx, needsOf(fresh, { newStreamsHaveNoRows: alone }), rows);
        for (const e of fresh) project(rows, e);
        await flush(trx as unknown as Kysely<ReadModelTables>, rows, this.rm.writer);
      }
      const position = (last > done ? last : done).toString();
      const eventId = last > done ? events.at(-1)!.eventId : (stored?.event_id ?? null);
      const updatedAt = this.options.clock().toISOString();
      await trx.insertInto('rm_checkpoints')
        .values({ projection: this.name, position, updated_at: updatedAt, event_id: eventId })
        .onConflict((oc) => oc.column('projection').doUpdateSet({ position, updated_at: updatedAt, event_id: eventId }))
        .execute();
    });
    this.position = last > this.position ? last : this.position;
    for (const l of this.listeners) l({ events: events.length, position: this.position });
  }

  /**
   * Applies everything stored after the checkpoint (up to `until`, if given), page by
   * page; returns the events applied.
   */
  async catchUp(until?: bigint): Promise<number> {
    const read = async (after: bigint) => {
      const events = await this.store.readAll({ after, maxCount: this.batchSize });
      return until === undefined ? events : events.filter((e) => e.position <= until);
    };
    let applied = 0;
    let page = await read(await this.verifiedCheckpoint());
    while (page.length > 0) {
      // the next page is read while this one is written (PostgreSQL works meanwhile)
      const applying = this.apply(page);
      const next = read(page.at(-1)!.position);
      await Promise.all([applying, next]);
      applied += page.length;
      page = await next;
    }
    return applied;
  }

  /**
   * Catches up, then follows the store live until `signal` aborts. Events that arrive
   * together are applied together (up to batchSize).
   */
  async run(signal: AbortSignal): Promise<void> {
    const after = await this.verifiedCheckpoint();
    const subscription = this.store.subscribeToAll({ after });
    signal.addEventListener('abort', () => void subscription.close(), { once: true });
    const it = subscription[Symbol.asyncIterator]();
    const TICK = Symbol('tick');
    let pending = it.next();
    while (!signal.aborted) {
      const first = await pending;
      if (first.done) return;
      const batch = [first.value];
      pending = it.next();
      while (batch.length < this.batchSize) {
        const next = await Promise.race([pending, new Promise<typeof TICK>((r) => setImmediate(() => r(TICK)))]);
        if (next === TICK || next.done) break;
        batch.push(next.value);
        pending = it.next();
      }
      if (signal.aborted) return;
      await this.apply(batch);
    }
  }
}

async function load(trx: Transaction<ReadModelTables>, needs: Needs, rows: RowSet): Promise<void> {
  for (const ids of chunks([...needs.subjects], 500)) {
    for (const r of await trx.selectFrom('rm_subjects').selectAll().where('subject_id', 'in', ids).execute()) rows.seed('rm_subjects', r);
    for (const r of await trx.selectFrom('rm_consents').selectAll().where('subject_id', 'in', ids).execute()) rows.seed('rm_consents', r);
    for (const r of await trx.selectFrom('rm_personal_data').selectAll().where('subject_id', 'in', ids).execute()) rows.seed('rm_personal_data', r);
  }
  for (const ids of chunks([...needs.erasures], 500)) {
    for (const r of await trx.selectFrom('rm_erasures').selectAll().where('erasure_id', 'in', ids).execute()) rows.seed('rm_erasures', r);
  }
  // a handful of rows: a policy version is published a few times a year
  if (needs.policyVersions) for (const r of await trx.selectFrom('rm_policy_versions').selectAll().execute()) rows.seed('rm_policy_versions', r);
  for (const ids of chunks([...needs.recipients], 500)) {
    for (const r of await trx.selectFrom('rm_recipient_agreements').selectAll().where('recipient_id', 'in', ids).execute()) {
      rows.seed('rm_recipient_agreements', r);
    }
  }
}

async function flush(trx: Kysely<ReadModelTables>, rows: RowSet, writer: RowWriter): Promise<void> {
  for (const table of PROJECTED_TABLES) {
    const { upserts, deletes } = rows.changes(table);
    await writer.upsert(trx, table, PRIMARY_KEYS[table], upserts);
    await writer.delete(trx, table, PRIMARY_KEYS[table], deletes);
  }
}
