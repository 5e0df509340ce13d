import {
  Global, Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { unreadableEvent, UnreadableHistoryError } from '@ledger/domain';
import { CheckpointNotInStoreError, EVENT_STORE, holdsCheckpoint, type EventStore } from '@ledger/event-store';
import { Projector, ReadModelGenerations, ReadModelQueries, type QuerySnapshot, type ReadModelDatabase } from '@ledger/read-models';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger.config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { loggableError, ROOT_LOGGER } from '../infrastructure/logger';
import { sleep } from '../infrastructure/sleep';
import { ProblemException } from '../http/problem';

/**
 * The read-model generation in use. A rebuild (ledger-cli) fills a new generation and
 * flips the pointer; this notices within LEDGER_GENERATION_POLL_MS, opens the new one,
 * moves queries and the projector over, and closes the old one after a grace period, so
 * reads never stop.
 */
@Injectable()
export class ReadModelSwitch {
  private rm!: ReadModelDatabase;
  private name!: string;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();
  private switching: Promise<void> | null = null;

  constructor(readonly generations: ReadModelGenerations, @Inject(ROOT_LOGGER) private readonly logger: Logger) {}

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
    setTimeout(() => void previous.close(), 5000).unref(); // let in-flight reads finish
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.switching;
    await this.rm.close();
  }
}

/**
 * The projector worker (LEDGER_ROLES includes `projector`): follows the event store into
 * the read models until shutdown, and starts again after an error.
 */
@Injectable()
export class ProjectorWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly abort = new AbortController();
  private current = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly projector: Projector,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    switcher: ReadModelSwitch,
  ) {
    switcher.onSwitch(() => this.restart());
  }

  /** Stops the current run; the loop starts again from the (new) stored checkpoint. */
  restart(): void {
    this.projector.reset();
    this.current.abort();
  }

  get running(): boolean {
    return this.loop !== null;
  }

  onApplicationBootstrap(): void {
    if (!this.config.processRoles.has('projector')) return;
    this.loop = this.follow();
  }

  private async follow(): Promise<void> {
    while (!this.abort.signal.aborted) {
      this.current = new AbortController();
      const stop = () => this.current.abort();
      this.abort.signal.addEventListener('abort', stop, { once: true });
      try {
        await this.projector.run(this.current.signal);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (error instanceof CheckpointNotInStoreError) {
          // Not transient: it takes an operator (a rebuild, whose switch of generation ends
          // the wait at once, as does shutdown). Said every 30 s, with the positions.
          this.logger.error(
            { err: { name: error.name }, checkpoint: error.checkpoint.toString(), head: error.head.toString() },
            `${error.message}; looking again in 30 s`,
          );
          await sleep(30_000, this.current.signal);
          continue;
        }
        if (error instanceof UnreadableHistoryError) {
          // a rolling upgrade: only an upgraded instance can go past this event; a retry
          // every second would only fill the log
          this.logger.error(
            { err: loggableError(error), ...unreadableEvent(error) },
            'projector stopped at an event a newer build wrote (a rolling upgrade): upgrade this instance; looking again in 30 s',
          );
          await sleep(30_000, this.current.signal);
          continue;
        }
        this.logger.error({ err: loggableError(error) }, 'projector failed; restarting in 1 s');
        await new Promise((r) => setTimeout(r, 1000).unref());
      } finally {
        this.abort.signal.removeEventListener('abort', stop);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}

export interface PositionedSnapshot {
  readonly queries: ReadModelQueries;
  /** every row reflects exactly the events up to this global position */
  readonly position: bigint;
  release(): Promise<void>;
}

/**
 * Read-your-writes: a command answers with the position it wrote; a read that names it
 * waits (up to LEDGER_READ_WAIT_MS) for the read models to get there, or says they are
 * behind with 503 and Retry-After.
 */
@Injectable()
export class ReadYourWrites {
  constructor(
    private readonly projector: Projector,
    private readonly worker: ProjectorWorker,
    /** the live read models (RegisterSource) */
    readonly queries: ReadModelQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async position(): Promise<bigint> {
    return this.worker.running ? this.projector.lastPosition : this.storedPosition();
  }

  /** the last stored checkpoint found in the event store (it changes with every batch projected) */
  private verified: { position: bigint; eventId: string | null } | null = null;

  /**
   * Where the read models are, when another process projects: the stored checkpoint, once
   * the event store is seen to hold its event. After the store was restored from a backup
   * the checkpoint is ahead of it, and a read waiting for a position written since would
   * take it for reached and answer from read models that lack it (a 404 for a subject just
   * written): until a rebuild, such a checkpoint counts as the start (503 READ_MODEL_BEHIND),
   * as it does in the projector's own process. One indexed read per new checkpoint.
   */
  private async storedPosition(): Promise<bigint> {
    return this.heldPosition(await this.queries.checkpoint());
  }

  /** a stored checkpoint's position once the event store is seen to hold its event, else 0 */
  private async heldPosition({ position, eventId }: { position: bigint; eventId: string | null }): Promise<bigint> {
    if (this.verified?.position === position && this.verified.eventId === eventId) return position;
    if (!(await holdsCheckpoint(this.store, position, eventId))) return 0n;
    this.verified = { position, eventId };
    return position;
  }

  /**
   * One consistent snapshot of the read models, for an export that pages through a whole
   * register, and the exact position its rows stand for: its checkpoint (0 if the event
   * store does not hold it, as in `position()`). `release` it when done.
   */
  async snapshot(): Promise<PositionedSnapshot> {
    // Each export holds its snapshot for as long as it streams: on PostgreSQL a pooled
    // connection the projector and the other reads share, on SQLite the WAL unchecked.
    if (this.exports >= this.config.exportsMax) {
      throw new ProblemException(503, 'EXPORTS_BUSY', `${this.config.exportsMax} exports are being streamed already; retry shortly`);
    }
    this.exports++;
    let taken: QuerySnapshot | undefined;
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      this.exports--;
      await taken?.release();
    };
    try {
      taken = await this.queries.snapshot();
      return { queries: taken.queries, position: await this.heldPosition(taken.checkpoint), release };
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** CSV exports streaming now, each with a snapshot */
  private exports = 0;

  async waitFor(minPosition: bigint | undefined): Promise<void> {
    if (minPosition === undefined || (await this.position()) >= minPosition) return;
    const reached = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), this.config.readWaitMs);
      const poll = this.worker.running ? null : setInterval(async () => {
        if ((await this.storedPosition()) >= minPosition) done(true);
      }, 25);
      const off = this.projector.onBatch((b) => {
        if (b.position >= minPosition) done(true);
      });
      function done(ok: boolean) {
        clearTimeout(timer);
        if (poll) clearInterval(poll);
        off();
        resolve(ok);
      }
    });
    if (!reached) {
      throw new ProblemException(503, 'READ_MODEL_BEHIND', 'the read models have not reached the requested position yet; retry shortly', {
        requestedPosition: minPosition.toString(),
        currentPosition: (await this.position()).toString(),
      });
    }
  }
}

@Global()
@Module({})
export class ReadSideModule implements OnApplicationShutdown {
  constructor(private readonly switcher: ReadModelSwitch) {}

  static forRoot() {
    const providers = [
      {
        provide: ReadModelGenerations,
        inject: [LEDGER_CONFIG, ROOT_LOGGER],
        useFactory: (config: LedgerConfig, logger: Logger) => new ReadModelGenerations(
          config.databaseUrl
            ? {
              kind: 'postgres',
              url: config.databaseUrl,
              onConnectionError: (error: Error & { code?: string }) => logger.warn(
                { err: { name: error.name, code: error.code } },
                'PostgreSQL closed an idle read-model connection; the next query opens a new one',
              ),
            }
            : { kind: 'sqlite', dir: config.dataDir },
        ),
      },
      {
        provide: ReadModelSwitch,
        inject: [ReadModelGenerations, ROOT_LOGGER, LEDGER_CONFIG],
        useFactory: async (generations: ReadModelGenerations, logger: Logger, config: LedgerConfig) => {
          const s = new ReadModelSwitch(generations, logger);
          await s.open(config.generationPollMs);
          return s;
        },
      },
      {
        provide: Projector,
        inject: [EVENT_STORE, ReadModelSwitch, CLOCK],
        useFactory: (store: EventStore, s: ReadModelSwitch, clock: Clock) => new Projector(store, () => s.current, { clock: () => clock.now() }),
      },
      { provide: ReadModelQueries, inject: [ReadModelSwitch], useFactory: (s: ReadModelSwitch) => new ReadModelQueries(() => s.current) },
      ProjectorWorker,
      ReadYourWrites,
    ];
    return { module: ReadSideModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.switcher.close();
  }
}
