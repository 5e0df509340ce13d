import type { Logger } from 'pino';
import { ReadModelGenerations, type ReadModelDatabase } from '@ledger/read-models';

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
      this.timer = setInterval(() => {
        this.switching ??= this.follow().finally(() => (this.switching = null));
      }, pollMs);
      this.timer.unref();
    }
  }

  onSwitch(listener: () => void): void {
    this.listeners.add(listener);
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
    }, 5000);
    retire.unref();
    this.retiring.set(previous, retire);
  }

  /** generations switched away from, closed 5 s after the switch */
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
