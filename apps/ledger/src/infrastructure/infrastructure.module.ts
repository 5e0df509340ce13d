import { Global, Inject, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createSubjectDecider, WorkingDayCalendar } from '@ledger/domain';
import { EVENT_STORE, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { KEY_VAULT, loadSecretKey, PersonalDataSealer, Pseudonymiser, type KeyVault } from '@ledger/crypto';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger.config';
import { CLOCK, ID_GENERATOR, pooledUuidV7, systemClock, type Clock, type IdGenerator } from './clock';
import { DecisionRunner } from './decision-runner';
import { openKeyVault } from './key-vault';
import { ROOT_LOGGER } from './logger';
import { ReferenceData } from './repositories';

export const SUBJECT_DECIDER = Symbol('SubjectDecider');

export interface InfrastructureOptions {
  readonly config: LedgerConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

/** The adapters behind the ports, chosen by configuration; closed on shutdown. */
@Global()
@Module({})
export class InfrastructureModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  beforeApplicationShutdown(): void {
    this.logger.info('shutting down: stopping the workers, then the HTTP server once running requests finish');
  }

  static forRoot(o: InfrastructureOptions): DynamicModule {
    const clock = o.clock ?? systemClock;
    const warn = (m: string) => o.logger.warn(m);
    const providers = [
      { provide: LEDGER_CONFIG, useValue: o.config },
      { provide: ROOT_LOGGER, useValue: o.logger },
      { provide: CLOCK, useValue: clock },
      { provide: ID_GENERATOR, useValue: o.ids ?? pooledUuidV7() },
      {
        provide: EVENT_STORE,
        useFactory: () => new SqliteEventStore({ filename: join(o.config.dataDir, 'events.db'), clock: () => clock.now() }),
      },
      {
        provide: KEY_VAULT,
        useFactory: () => openKeyVault(o.config, warn, () => clock.now()),
      },
      { provide: PersonalDataSealer, useFactory: (vault: KeyVault) => new PersonalDataSealer(vault), inject: [KEY_VAULT] },
      {
        provide: Pseudonymiser,
        useFactory: () => new Pseudonymiser(loadSecretKey(
          { name: 'LEDGER_PSEUDONYM_SECRET', configured: o.config.pseudonymSecret, file: join(o.config.dataDir, 'pseudonym.key') },
          warn,
        )),
      },
      { provide: WorkingDayCalendar, useFactory: () => new WorkingDayCalendar().withOverrides(o.config.calendarOverrides) },
      { provide: SUBJECT_DECIDER, useFactory: (c: WorkingDayCalendar) => createSubjectDecider(c), inject: [WorkingDayCalendar] },
      DecisionRunner,
      ReferenceData,
    ];
    return { module: InfrastructureModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close(); // flushes a pending group commit first
    await this.vault.close();
    this.logger.info('stopped: every acknowledged append is on disk; event store and key vault closed');
  }
}
