import Database from 'better-sqlite3';
import {
  CompiledQuery, Kysely, Migrator, PostgresDialect, sql, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type SqliteDialectConfig,
} from 'kysely';
import { Pool } from 'pg';
import { migrationProvider } from './migrations';
import { RowWriter } from './row-writer';
import type { ReadModelTables } from './schema';

export type ReadModelDatabaseConfig =
  | { readonly kind: 'sqlite'; readonly filename: string }
  /**
   * `schema` isolates one set of tables in a shared database (tests, rebuilds);
   * `onConnectionError` hears of a pooled connection the server closed while it was idle.
   */
  | {
    readonly kind: 'postgres'; readonly url: string; readonly schema?: string; readonly poolSize?: number;
    readonly onConnectionError?: (error: Error) => void;
  };

export interface ReadModelDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** where it lives, for another process to open the same tables */
  readonly location: { readonly filename: string } | { readonly url: string; readonly schema?: string };
  readonly db: Kysely<ReadModelTables>;
  /** writes projected rows with SQL compiled once, in the engine's dialect */
  readonly writer: RowWriter;
  migrate(): Promise<void>;
  /**
   * Runs a few reads as one: every query `read` makes through the handle it is given sees
   * the tables at one point — none of the projector's batches half before and half after.
   * For an answer assembled from several tables (the subject view). Short: on SQLite it
   * holds the one connection.
   */
  consistentRead<T>(read: (db: Kysely<ReadModelTables>) => Promise<T>): Promise<T>;
  /**
   * One consistent view of every table, held until `release`: what a long export reads,
   * page after page, while the projector goes on writing. It blocks no writer.
   */
  snapshot(): Promise<ReadSnapshot>;
  /** snapshots taken and not yet released (a gauge; a leak shows here) */
  readonly openSnapshots: number;
  close(): Promise<void>;
}

export interface ReadSnapshot {
  /** queries through this see the tables as they were when the first one ran */
  readonly db: Kysely<ReadModelTables>;
  /** ends the snapshot (once; later calls do nothing) */
  release(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Whether `error` says the read models a query went to are not there (any more): what a
 * query meets on a generation that a rebuild's `--drop-previous` removed before this
 * process switched away from it. PostgreSQL's undefined_table (42P01) or
 * invalid_schema_name (3F000); SQLite's "no such table", or a file that cannot be opened
 * (a snapshot opens the generation's file anew). Recognised by shape: the engines' error
 * classes may come from another copy of their module.
 */
export function readModelsGone(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (typeof e?.code !== 'string') return false;
  if (e.name === 'SqliteError') {
    return e.code === 'SQLITE_CANTOPEN' || (e.code === 'SQLITE_ERROR' && typeof e.message === 'string' && e.message.startsWith('no such table'));
  }
  return e.code === '42P01' || e.code === '3F000';
}

/**
 * The read models were migrated by a newer build: this one cannot tell what the newer
 * migrations changed, so it neither writes to them nor reads them (docs/operations.md,
 * Rolling upgrades).
 */
export class ReadModelsFromNewerBuildError extends Error {
  constructor(readonly migration: string) {
    super(`the read models were migrated by a newer build (migration ${migration} is unknown to this one): run that build;`
      + ' to go back to this one, rebuild the read models with it into a new generation (npm run cli -- rebuild-read-models --name <new>),'
      + ' which works as long as this build reads every event stored');
    this.name = 'ReadModelsFromNewerBuildError';
  }
}

/**
 * One schema, two engines (ARCHITECTURE §7): a SQLite file beside the event store by
 * default, PostgreSQL in production. Read models can be rebuilt from the events, so the
 * SQLite file commits with synchronous=NORMAL: a power cut may lose the last batches,
 * rows and checkpoint together, and the projector redoes them.
 */
export function openReadModelDatabase(config: ReadModelDatabaseConfig): ReadModelDatabase {
  if (config.kind === 'sqlite') {
    const sqlite = new Database(config.filename);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    // Kysely prepares every query anew; the projector's batches repeat the same SQL, so
    // prepared statements are cached by their text (measured: ~10% of catch-up time).
    const statements = new Map<string, Database.Statement>();
    const cached = Object.assign(Object.create(sqlite) as Database.Database, {
      prepare(source: string) {
        let statement = statements.get(source);
        if (!statement) {
          if (statements.size >= 500) statements.clear();
          statement = sqlite.prepare(source);
          statements.set(source, statement);
        }
        return statement;
      },
      close: () => sqlite.close(),
    });
    const db = new Kysely<ReadModelTables>({ dialect: new SqliteDialect({ database: cached }) });
    // Migrations run through their own Kysely on the same connection, as one transaction
    // that takes the write lock first (see MigratingSqliteDialect).
    const migrations = new Kysely<ReadModelTables>({ dialect: new MigratingSqliteDialect({ database: cached }) });
    return wrap('sqlite', db, RowWriter.sqlite(), { filename: config.filename }, () => sqliteSnapshot(config.filename, db), migrations);
  }
  if (config.schema && !SCHEMA_NAME.test(config.schema)) throw new Error('invalid PostgreSQL schema name');
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
  });
  // An idle pooled connection that the server closes — a restart, a failover, an operator's
  // pg_terminate_backend, a proxy's idle timeout — makes the pool emit 'error', and an
  // EventEmitter with no listener for it throws: the whole process went down
  // (database.int-spec.ts). The pool has already dropped that client; the next query
  // opens a new connection.
  pool.on('error', (error) => config.onConnectionError?.(error));
  const db = new Kysely<ReadModelTables>({ dialect: new PostgresDialect({ pool }) });
  return wrap('postgres', db, RowWriter.postgres(), { url: config.url, ...(config.schema ? { schema: config.schema } : {}) }, () => postgresSnapshot(db));
}

/**
 * SQLite: a read transaction on a connection of its own. In WAL mode it reads the file as
 * of its first statement for as long as it stays open, while the projector's connection
 * commits beside it (the WAL is not checkpointed past it meanwhile). The service's own
 * connection is one, behind a mutex: a transaction held there through a long export would
 * stop the projector and every other read. An in-memory database (tests) has no second
 * connection: its snapshot is the live connection, without a transaction.
 */
async function sqliteSnapshot(filename: string, live: Kysely<ReadModelTables>): Promise<ReadSnapshot> {
  if (filename === ':memory:' || filename === '') return { db: live, release: async () => undefined };
  const connection = new Database(filename, { readonly: true, fileMustExist: true });
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely<ReadModelTables>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    await sql`begin`.execute(db); // deferred: the snapshot is taken by the first read
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, release: () => db.destroy() }; // closing the connection ends its transaction
}

/**
 * PostgreSQL: a read-only REPEATABLE READ transaction — one snapshot for all its
 * statements — on a pooled connection held until `release`.
 */
async function postgresSnapshot(live: Kysely<ReadModelTables>): Promise<ReadSnapshot> {
  const trx = await live.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute();
  return {
    db: trx,
    // a read-only transaction has nothing to keep: a failed commit (connection lost) ends it as well
    release: () => trx.commit().execute().catch(() => undefined),
  };
}

/**
 * SQLite for the migrator. Kysely's SQLite adapter runs each migration outside any
 * transaction and takes no lock (it assumes one process), so processes that open the same
 * file at once — the API and a projector started together — raced: one created the
 * tables, the others failed with "table already exists" or half-applied a migration
 * (measured: database.int-spec.ts). SQLite's DDL is transactional, so here the whole run
 * is one transaction begun with BEGIN IMMEDIATE: the first process takes the write lock,
 * the others wait (busy_timeout) and then find nothing left to do.
 */
class MigratingSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createAdapter() {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl() {
        return true;
      }
    })();
  }

  override createDriver() {
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection) {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    })(this.settings);
  }
}

function wrap(
  kind: 'sqlite' | 'postgres', db: Kysely<ReadModelTables>, writer: RowWriter, location: ReadModelDatabase['location'],
  takeSnapshot: () => Promise<ReadSnapshot>, migrations: Kysely<ReadModelTables> = db,
): ReadModelDatabase {
  const schema = 'schema' in location ? location.schema : undefined;
  let openSnapshots = 0;
  return {
    kind,
    location,
    db,
    writer,
    consistentRead: (read) => kind === 'postgres'
      // READ COMMITTED would give each statement a snapshot of its own
      ? db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read)
      // a deferred transaction on the connection: its first read fixes what the rest see
      : db.transaction().execute(read),
    async snapshot() {
      const taken = await takeSnapshot();
      openSnapshots++;
      let released = false;
      return {
        db: taken.db,
        release: async () => {
          if (released) return;
          released = true;
          openSnapshots--;
          await taken.release();
        },
      };
    },
    get openSnapshots() {
      return openSnapshots;
    },
    async migrate() {
      if (schema) await db.schema.createSchema(schema).ifNotExists().execute();
      const { error, results } = await new Migrator({ db: migrations, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
      if (error) {
        // Kysely's words when the table lists a migration this build does not have
        const newer = /previously executed migration (\S+) is missing/.exec((error as Error).message)?.[1];
        if (newer) throw new ReadModelsFromNewerBuildError(newer);
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new Error(`read-model migration ${failed} failed: ${(error as Error).message}`);
      }
    },
    close: () => db.destroy(),
  };
}
