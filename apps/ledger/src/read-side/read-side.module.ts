import {
  Global, Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { EVENT_STORE, holdsCheckpoint, type EventStore } from '@ledger/event-store';
import { Projector, ReadModelGenerations, ReadModelQueries, type QuerySnapshot } from '@ledger/read-models';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger.config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { ROOT_LOGGER } from '../infrastructure/logger';
import { ProblemException } from '../http/problem';
import { ProjectorLoop } from './projector-loop';
import { ProjectorThread } from './projector-thread';
import { readModelGenerations, ReadModelSwitch } from './read-model-switch';

export { ReadModelSwitch } from './read-model-switch';

/**
 * The projector in the service's thread (LEDGER_ROLES includes `projector` and
 * LEDGER_PROJECTOR_THREAD is off): follows the event store into the read models until
 * shutdown, and starts again after an error.
 */
@Injectable()
export class ProjectorWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: ProjectorLoop;

  constructor(
    projector: Projector,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
    switcher: ReadModelSwitch,
  ) {
    this.loop = new ProjectorLoop(projector, logger, switcher);
    switcher.onSwitch(() => this.loop.restart());
  }

  get running(): boolean {
    return this.loop.running;
  }

  onApplicationBootstrap(): void {
    if (this.config.processRoles.has('projector') && !this.config.projectorThread) this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
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
    private readonly thread: ProjectorThread,
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
    // A position past the event store's head was never answered by any command (every
    // acknowledged append is at or below the head, whichever process wrote it): waiting
    // cannot reach it, and a 503 would have the client retry for ever (HTTP 1.33.0).
    const head = await this.store.headPosition();
    if (minPosition > head) {
      throw new ProblemException(400, 'POSITION_NOT_WRITTEN', 'no event has been written at minPosition: pass the position a command answered with', {
        requestedPosition: minPosition.toString(),
        headPosition: head.toString(),
      });
    }
    const reached = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), this.config.readWaitMs);
      // the read models another thread or process projects: their stored checkpoint, looked
      // at after each batch the projector's thread reports, and every 25 ms
      const check = async () => {
        try {
          if ((await this.storedPosition()) >= minPosition) done(true);
        } catch {
          // the read models unreachable for now: the wait ends as READ_MODEL_BEHIND
        }
      };
      const poll = this.worker.running ? null : setInterval(() => void check(), 25);
      const offThread = this.thread.onBatch(() => void check());
      const off = this.projector.onBatch((b) => {
        if (b.position >= minPosition) done(true);
      });
      function done(ok: boolean) {
        clearTimeout(timer);
        if (poll) clearInterval(poll);
        off();
        offThread();
        resolve(ok);
      }
    });
    if (!reached) {
      // The read models may be what kept the wait from ending — unreadable now (a table
      // missing, the database gone): the answer is still that they are behind, with the
      // last position seen, not a 500 from reading it once more.
      const current = await this.position().catch(() => this.verified?.position ?? 0n);
      throw new ProblemException(503, 'READ_MODEL_BEHIND', 'the read models have not reached the requested position yet; retry shortly', {
        requestedPosition: minPosition.toString(),
        currentPosition: current.toString(),
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
        useFactory: (config: LedgerConfig, logger: Logger) => readModelGenerations(config, logger),
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
      ProjectorThread,
      ReadYourWrites,
    ];
    return { module: ReadSideModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.switcher.close();
  }
}
