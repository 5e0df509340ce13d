import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { EventStore } from '@ledger/event-store';
import { openReadModelDatabase, type ReadModelDatabase } from './database';
import { Projector } from './projector';

/** Where the read models live; each rebuild writes a new generation there. */
export type ReadModelLocation =
  | { readonly kind: 'sqlite'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly onConnectionError?: (error: Error) => void };

const DEFAULT_SQLITE = 'read-models';
const DEFAULT_POSTGRES = 'public';
const GENERATION = /^[a-z][a-z0-9_-]{0,40}$/;

/**
 * Generations of read models. SQLite: one file per generation in `dir`, the current one
 * named in `read-models.current` (replaced atomically by rename). PostgreSQL: one schema
 * per generation, the current one named in `public.ledger_read_model_generation`.
 * A rebuild fills a new generation and then activates it; readers follow the pointer.
 */
export class ReadModelGenerations {
  constructor(private readonly location: ReadModelLocation) {}

  get defaultGeneration(): string {
    return this.location.kind === 'sqlite' ? DEFAULT_SQLITE : DEFAULT_POSTGRES;
  }

  async current(): Promise<string> {
    if (this.location.kind === 'sqlite') {
      const pointer = join(this.location.dir, 'read-models.current');
      return existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : DEFAULT_SQLITE;
    }
    return this.withMeta(async (db) => {
      const row = await sql<{ current: string }>`SELECT current FROM public.ledger_read_model_generation`.execute(db);
      return row.rows[0]?.current ?? DEFAULT_POSTGRES;
    });
  }

  /** Whether a generation has been created (its file, or its schema, exists). */
  async exists(generation: string): Promise<boolean> {
    this.check(generation);
    if (this.location.kind === 'sqlite') return existsSync(join(this.location.dir, `${generation}.db`));
    return this.withMeta(async (db) => {
      const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = ${generation}`.execute(db);
      return row.rows[0]!.n > 0;
    });
  }

  /** Opens (and migrates) a generation. */
  async open(generation: string): Promise<ReadModelDatabase> {
    this.check(generation);
    const rm = this.location.kind === 'sqlite'
      ? openReadModelDatabase({ kind: 'sqlite', filename: join(this.location.dir, `${generation}.db`) })
      : openReadModelDatabase({
        kind: 'postgres', url: this.location.url, ...(generation === DEFAULT_POSTGRES ? {} : { schema: generation }),
        onConnectionError: this.location.onConnectionError,
      });
    await rm.migrate();
    return rm;
  }

  async activate(generation: string): Promise<void> {
    this.check(generation);
    if (this.location.kind === 'sqlite') {
      const pointer = join(this.location.dir, 'read-models.current');
      writeFileSync(`${pointer}.tmp`, generation);
      renameSync(`${pointer}.tmp`, pointer);
      return;
    }
    await this.withMeta(async (db) => {
      await sql`INSERT INTO public.ledger_read_model_generation (singleton, current, activated_at) VALUES (true, ${generation}, now())
        ON CONFLICT (singleton) DO UPDATE SET current = excluded.current, activated_at = excluded.activated_at`.execute(db);
    });
  }

  /** Removes a generation that is not the current one. */
  async drop(generation: string): Promise<void> {
    this.check(generation);
    if (generation === (await this.current())) throw new Error('refusing to drop the current read-model generation');
    if (this.location.kind === 'sqlite') {
      for (const suffix of ['.db', '.db-wal', '.db-shm']) rmSync(join(this.location.dir, `${generation}${suffix}`), { force: true });
      return;
    }
    if (generation === DEFAULT_POSTGRES) throw new Error('the public schema is not dropped; empty it by hand if needed');
    await this.withMeta((db) => sql`DROP SCHEMA IF EXISTS ${sql.id(generation)} CASCADE`.execute(db));
  }

  /**
   * A generation's name: lower-case letters, digits and `_` (and `-` on SQLite, whose
   * default generation is `read-models`), a letter first, at most 41 characters. On
   * PostgreSQL it is a schema's name, which takes no `-`: such a name failed only once
   * the rebuild came to open it, with another message.
   */
  private check(generation: string): void {
    const postgres = this.location.kind === 'postgres';
    if (!GENERATION.test(generation) || (postgres && generation.includes('-'))) {
      throw new Error(`invalid read-model generation name: lower-case letters, digits${postgres ? ' and _' : ', _ and -'}, a letter first, at most 41 characters`);
    }
  }

  private async withMeta<T>(work: (db: ReadModelDatabase['db']) => Promise<T>): Promise<T> {
    if (this.location.kind !== 'postgres') throw new Error('postgres only');
    const rm = openReadModelDatabase({
      kind: 'postgres', url: this.location.url, poolSize: 1, onConnectionError: this.location.onConnectionError,
    });
    try {
      await sql`CREATE TABLE IF NOT EXISTS public.ledger_read_model_generation (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), current text NOT NULL, activated_at timestamptz NOT NULL)`.execute(rm.db);
      return await work(rm.db);
    } finally {
      await rm.close();
    }
  }
}

/**
 * Rebuilds the read models from position 0 into a new generation while the current one
 * keeps serving, then activates it. Returns the new generation and what it applied.
 */
export async function rebuildReadModels(options: {
  readonly store: EventStore;
  readonly generations: ReadModelGenerations;
  readonly name: string;
  readonly clock: () => Date;
  readonly batchSize?: number;
  readonly onProgress?: (position: bigint, head: bigint) => void;
}): Promise<{ generation: string; previous: string; events: number; position: bigint }> {
  const previous = await options.generations.current();
  // A rebuild starts from position 0 in empty tables: into an existing generation it would
  // only carry on from that generation's checkpoint (into the current one: do nothing), and
  // still say it rebuilt.
  if (await options.generations.exists(options.name)) {
    throw new Error(`read-model generation ${options.name} already exists${options.name === previous ? ' and is the current one' : ''}; `
      + 'rebuild into a new name (or drop that generation first)');
  }
  const rm = await options.generations.open(options.name);
  try {
    const projector = new Projector(options.store, rm, { clock: options.clock, batchSize: options.batchSize ?? 2000 });
    projector.onBatch((b) => void options.store.headPosition().then((head) => options.onProgress?.(b.position, head)));
    let events = await projector.catchUp();
    // catch up again: whatever was written during the first pass
    events += await projector.catchUp();
    await options.generations.activate(options.name);
    return { generation: options.name, previous, events, position: projector.lastPosition };
  } finally {
    await rm.close();
  }
}
