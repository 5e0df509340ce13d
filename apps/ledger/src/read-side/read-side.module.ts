import {
  Global, Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown,
} from '@nestjs/common';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { openReadModelDatabase, Projector, ReadModelQueries, type ReadModelDatabase } from '@ledger/read-models';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger.config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { ROOT_LOGGER } from '../infrastructure/logger';
import { ProblemException } from '../http/problem';

export const READ_MODEL_DATABASE = Symbol('ReadModelDatabase');

/**
 * The projector worker (LEDGER_ROLES includes `projector`): follows the event store into
 * the read models until shutdown, and starts again after an error.
 */
@Injectable()
export class ProjectorWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly projector: Projector,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  get running(): boolean {
    return this.loop !== null;
  }

  onApplicationBootstrap(): void {
    if (!this.config.processRoles.has('projector')) return;
    this.loop = this.follow();
  }

  private async follow(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.projector.run(this.abort.signal);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.logger.error({ err: { name: (error as Error).name, stack: (error as Error).stack } }, 'projector failed; restarting in 1 s');
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
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
    private readonly queries: ReadModelQueries,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async position(): Promise<bigint> {
    return this.worker.running ? this.projector.lastPosition : (await this.queries.checkpoint()).position;
  }

  async waitFor(minPosition: bigint | undefined): Promise<void> {
    if (minPosition === undefined || (await this.position()) >= minPosition) return;
    const reached = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), this.config.readWaitMs);
      const poll = this.worker.running ? null : setInterval(async () => {
        if ((await this.queries.checkpoint()).position >= minPosition) done(true);
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
  constructor(@Inject(READ_MODEL_DATABASE) private readonly rm: ReadModelDatabase) {}

  static forRoot() {
    const providers = [
      {
        provide: READ_MODEL_DATABASE,
        inject: [LEDGER_CONFIG],
        useFactory: async (config: LedgerConfig) => {
          const rm = config.databaseUrl
            ? openReadModelDatabase({ kind: 'postgres', url: config.databaseUrl })
            : openReadModelDatabase({ kind: 'sqlite', filename: join(config.dataDir, 'read-models.db') });
          await rm.migrate();
          return rm;
        },
      },
      {
        provide: Projector,
        inject: [EVENT_STORE, READ_MODEL_DATABASE, CLOCK],
        useFactory: (store: EventStore, rm: ReadModelDatabase, clock: Clock) => new Projector(store, rm, { clock: () => clock.now() }),
      },
      { provide: ReadModelQueries, inject: [READ_MODEL_DATABASE], useFactory: (rm: ReadModelDatabase) => new ReadModelQueries(rm) },
      ProjectorWorker,
      ReadYourWrites,
    ];
    return { module: ReadSideModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rm.close();
  }
}
