import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { destructionHeldBy, DomainError, kzDateOf, UnreadableHistoryError, type SubjectCommand, type SubjectState } from '@ledger/domain';
import { KEY_VAULT, type KeyVault } from '@ledger/crypto';
import { ReadModelQueries } from '@ledger/read-models';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger.config';
import { systemCommandContext } from '../http/command-context';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../infrastructure/clock';
import type { CommandResult } from '../infrastructure/decision-runner';
import { loggableError, ROOT_LOGGER } from '../infrastructure/logger';
import { SubjectCommands } from '../subjects/subject-commands';
import { LedgerMetrics } from '../operations/metrics';

export interface TickReport {
  readonly acted: boolean;
  readonly started: number;
  readonly shredded: number;
  readonly retentionScheduled: number;
  readonly expiryScheduled: number;
  readonly overdue: number;
  /** keys of erased subjects found alive in the vault and destroyed again */
  readonly redestroyed: number;
}

const LEASE = 'erasure-scheduler';
const IDLE: TickReport = { acted: false, started: 0, shredded: 0, retentionScheduled: 0, expiryScheduled: 0, overdue: 0, redestroyed: 0 };

/**
 * The erasure scheduler (LEDGER_ROLES includes `scheduler`). It wakes on the injected
 * clock and acts on what is due — §2.10 erasures (decide, destroy the key, record it),
 * §2.6 retention ends and lapsed bases (schedule), late erasures (raise). One instance
 * acts, by lease.
 *
 * Every command carries an idempotency key derived from what it acts on, so a repeated
 * tick, a second instance or a restart replays instead of acting twice; the reconciler
 * step finishes any erasure interrupted between the decision and the shredding.
 */
@Injectable()
export class ErasureScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly holder: string;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TickReport> | null = null;

  constructor(
    private readonly subjects: SubjectCommands,
    private readonly queries: ReadModelQueries,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly metrics: LedgerMetrics,
  ) {
    this.holder = `${hostname()}:${process.pid}:${ids.next()}`;
  }

  onApplicationBootstrap(): void {
    if (!this.config.processRoles.has('scheduler')) return;
    const run = () => {
      this.running ??= this.tick()
        .catch((error: Error) => {
          this.logger.error({ err: loggableError(error) }, 'erasure scheduler tick failed');
          return IDLE;
        })
        .finally(() => (this.running = null));
    };
    run(); // at start-up: finishes whatever a crash interrupted
    if (this.config.schedulerIntervalMs > 0) {
      this.timer = setInterval(run, this.config.schedulerIntervalMs);
      this.timer.unref();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.queries.releaseLease(LEASE, this.holder).catch(() => undefined);
  }

  /** One pass over everything due; safe to call at any time, from any instance. */
  async tick(): Promise<TickReport> {
    const now = this.clock.now();
    const leaseFor = Math.max(2 * this.config.schedulerIntervalMs, 120_000);
    if (!(await this.queries.lease(LEASE, this.holder, now, new Date(now.getTime() + leaseFor)))) {
      return IDLE;
    }
    const today = kzDateOf(now);
    let started = 0;
    let shredded = 0;
    let retentionScheduled = 0;
    let expiryScheduled = 0;
    let overdue = 0;

    // 0. the vault holds every erased subject's tombstone (not so after a restore from a backup)
    const redestroyed = await this.redestroyErasedKeys();
    // 1. reconcile: decided but not shredded (a crash between the two steps)
    for (const e of await this.queries.unshreddedErasures()) shredded += await this.shred(e.subject_id, e.erasure_id);
    // 2. due: decide, then shred (§2.10)
    for (const e of await this.queries.dueErasures(today)) {
      const r = await this.act(e.subject_id, `scheduler:start:${e.erasure_id}`, (n) => ({
        type: 'StartErasure', now: n, data: { erasureId: e.erasure_id, internalSystems: this.config.erasureSystems },
      }));
      if (r?.events.some((x) => x.type === 'ErasureStarted')) started++;
      if (r) shredded += await this.shred(e.subject_id, e.erasure_id);
    }
    // 3. retention ended (§2.6): schedule destruction
    for (const s of await this.queries.retentionEnded(today)) {
      const r = await this.act(s.subject_id, `scheduler:retention:${s.subject_id}:${today}`, (n) => ({
        type: 'ScheduleRetentionErasure', now: n, data: { erasureId: this.ids.next() },
      }));
      if (r?.events.length) retentionScheduled++;
    }
    // 4. every basis lapsed (§2.10, Law 94-V Art. 8): schedule destruction
    for (const s of await this.queries.basesExpired(today)) {
      const r = await this.act(s.subject_id, `scheduler:expiry:${s.subject_id}:${today}`, (n) => ({
        type: 'ScheduleExpiryErasure', now: n, data: { erasureId: this.ids.next() },
      }));
      if (r?.events.length) expiryScheduled++;
    }
    // 5. late: raise (event, log; the count is on /v1/operations/erasures)
    for (const e of await this.queries.lateErasures(today)) {
      const r = await this.act(e.subject_id, `scheduler:overdue:${e.erasure_id}`, (n) => ({ type: 'MarkErasureOverdue', now: n, data: { erasureId: e.erasure_id } }));
      const raised = r?.events.find((x) => x.type === 'ErasureOverdue');
      if (raised) {
        overdue++;
        this.metrics.erasuresRaised.inc();
        this.logger.warn({ erasureId: e.erasure_id, missing: (raised.data as { missing: string[] }).missing }, 'erasure overdue (§2.10)');
      }
    }
    return { acted: true, started, shredded, retentionScheduled, expiryScheduled, overdue, redestroyed };
  }

  /**
   * §2.10 across a restore: a key vault brought back from a backup taken before an
   * erasure holds that subject's data key alive again, and the ciphertext in the events
   * and their backups would open once more. The ledger records every erasure, so the
   * scheduler destroys such keys again, at the time the ledger recorded (no new event:
   * the erasure already happened). Cheap when nothing was restored: the vault has at
   * least as many tombstones as the read models have erased subjects; only when it has
   * fewer does it walk the erased subjects.
   */
  private async redestroyErasedKeys(): Promise<number> {
    if ((await this.vault.destroyedCount()) >= (await this.queries.erasedSubjectCount())) return 0;
    let redestroyed = 0;
    for (let after = '', page = await this.queries.erasedSubjects(after); page.length > 0; page = await this.queries.erasedSubjects(after)) {
      const erasedAt = new Map(page.map((s) => [s.subject_id, s.erased_at]));
      const alive = await this.vault.notDestroyedAmong(page.map((s) => s.subject_id));
      // a page's keys in one transaction; between pages the event loop serves requests
      await this.vault.destroyMany(alive.map((subjectId) => ({ subjectId, at: new Date(erasedAt.get(subjectId) ?? this.clock.now()) })));
      redestroyed += alive.length;
      after = page.at(-1)!.subject_id;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (redestroyed > 0) {
      this.metrics.keysRedestroyed.inc(redestroyed);
      this.logger.warn({ redestroyed }, 'key vault: erased subjects had no tombstone (a vault restored from a backup older than their erasure?): their keys are destroyed again (§2.10)');
    }
    return redestroyed;
  }

  /**
   * Destroys the key, then records it; both steps are idempotent. Returns 1 if recorded now.
   * A legal hold or blocking placed since the decision stops it before the key is touched
   * (§2.8, §2.5): the erasure stays decided, and a later tick shreds once it is lifted.
   */
  private async shred(subjectId: string, erasureId: string): Promise<number> {
    const r = await this.act(subjectId, `scheduler:shred:${erasureId}`, async (n, state) => {
      const held = destructionHeldBy(state);
      if (held) throw held;
      await this.vault.destroy(subjectId, n);
      return { type: 'RecordKeyShredded', now: n, data: { erasureId } };
    });
    return r?.events.some((x) => x.type === 'DataKeyShredded') ? 1 : 0;
  }

  /** Runs one command; a refusal (say, blocked processing) is logged and skipped. */
  private async act(
    subjectId: string, key: string, command: (now: Date, state: SubjectState) => SubjectCommand | Promise<SubjectCommand>,
  ): Promise<CommandResult | null> {
    const ctx = systemCommandContext('erasure-scheduler', key, { route: 'scheduler', params: { subjectId }, body: key });
    try {
      return await this.subjects.run(subjectId, ctx, command);
    } catch (error) {
      if (error instanceof UnreadableHistoryError) {
        // a newer build wrote this subject's history (a rolling upgrade): leave the subject
        // to an upgraded scheduler, and go on with the others
        this.logger.error({ key, err: loggableError(error) }, 'erasure scheduler: skipped a subject whose history a newer build wrote; upgrade this instance');
        return null;
      }
      if (!(error instanceof DomainError)) throw error;
      this.logger.info({ key, code: error.code }, 'erasure scheduler step refused');
      return null;
    }
  }
}
