import type { Logger } from 'pino';
import { ReadModelGenerations, readModelsGone, type ReadModelDatabase } from '@ledger/read-models';
import { loggableError } from '../infrastructure/logger';
import { storageFailure } from '../infrastructure/storage-failure';

/** Where the read models are: PostgreSQL when DATABASE_URL is set, else SQLite files in the data directory. */
export function readModelGenerations(o: { readonly databaseUrl: string | undefined; readonly dataDir: string }, logger: Logger): ReadModelGenerations {
  return new ReadModelGenerations(
    o.databaseUrl
      ? {
        kind: 'postgres',
        url: o.databaseUrl,
        onConnectionError: (error: Error & { code?: string }) => logger.warn(
          { err: { name: error.name, code: error.code } },
          'PostgreSQL closed an idle read-model connection; the next query opens a new one',
        ),
      }
      : { kind: 'sqlite', dir: o.dataDir },
  );
}

/** How long a generation switched away from stays open for the reads in flight on it. */
export const RETIRE_AFTER_MS = 5000;

/**
 * The read-model generation in use. A rebuild (ledger-cli) fills a new generation and
 * flips the pointer; this notices within LEDGER_GENERATION_POLL_MS, opens the new one,
 * moves queries and the projector over, and closes the old one after a grace period, so
 * reads never stop. The service's thread and the projector's thread each follow it.
 */
export class ReadModelSwitch {
  private rm!: ReadModelDatabase;
  private name!: string;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();
  private switching: Promise<void> | null = null;

  constructor(readonly generations: ReadModelGenerations, private readonly logger: Logger) {}

  get current(): ReadModelDatabase {
    return this.rm;
  }

  get generation(): string {
    return this.name;
  }

  async open(pollMs: number): Promise<void> {
    this.name = await this.generations.current();
    this.rm = await this.generations.open(this.name);
    if (pollMs > 0) {
      // A poll that fails (PostgreSQL unreachable for a moment, a pointer naming no valid
      // generation) is said and tried again at the next one; unhandled, its rejection
      // ended the process.
      this.timer = setInterval(() => this.followOrSay(), pollMs);
      this.timer.unref();
    }
  }

  onSwitch(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** `follow`, joined by whoever asks while it runs (the poll, a failed read, the service telling its projector thread). */
  followNow(): Promise<void> {
    this.switching ??= this.follow().finally(() => (this.switching = null));
    return this.switching;
  }

  /** `followNow` for a caller that does not wait: a failure is logged, and the next poll tries again. */
  followOrSay(): void {
    this.followNow().catch((error: unknown) => this.logger.warn(
      { err: loggableError(error, storageFailure(error) ?? undefined) },
      'cannot follow the read-model generation pointer; staying on the current generation, trying again at the next poll',
    ));
  }

  /**
   * After `error` ended work on generation `usedGeneration`: when it says that
   * generation's tables are gone — a rebuild with `--drop-previous` removed it before the
   * poll moved this process off it — the pointer is read at once, without waiting for the
   * poll. True when another generation is current now, so the work can be done again
   * there; false for any other error, or when no other generation is current.
   */
  async recover(error: unknown, usedGeneration: string): Promise<boolean> {
    if (!readModelsGone(error)) return false;
    // a pointer that cannot be read now leaves `error` to stand (the poll says why)
    if (this.name === usedGeneration) await this.followNow().catch(() => undefined);
    return this.name !== usedGeneration;
  }

  /** Checks the pointer once; switches if it moved. */
  async follow(): Promise<void> {
    const next = await this.generations.current();
    if (next === this.name) return;
    const previous = this.rm;
    this.rm = await this.generations.open(next);
    this.logger.info({ from: this.name, to: next }, 'read models switched to a new generation');
    this.name = next;
    for (const l of this.listeners) l();
    // let in-flight reads finish; a shutdown meanwhile closes it at once (its pooled
    // PostgreSQL connections would otherwise hold a thread open until then)
    const retire = setTimeout(() => {
      this.retiring.delete(previous);
      void previous.close();
    }, RETIRE_AFTER_MS);
    retire.unref();
    this.retiring.set(previous, retire);
  }

  /** generations switched away from, closed RETIRE_AFTER_MS after the switch */
  private readonly retiring = new Map<ReadModelDatabase, NodeJS.Timeout>();

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.switching;
    for (const [previous, retire] of this.retiring) {
      clearTimeout(retire);
      await previous.close();
    }
    this.retiring.clear();
    await this.rm.close();
  }
}
