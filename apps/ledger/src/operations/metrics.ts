import { applyDecorators, Controller, Get, Header, Inject, Injectable } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemDetails } from '../http/openapi-models';
import { AUTH_ERRORS } from '../http/routes';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { KEY_VAULT, UNREADABLE_REASONS, type KeyVault } from '@ledger/crypto';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ReadModelQueries } from '@ledger/read-models';
import { Roles } from '../http/auth';
import { ProjectionLag } from './projection-lag';
import { DecisionRunner } from '../infrastructure/decision-runner';
import { PublishingWorker } from '../publishing/publishing';
import { ProjectorThread } from '../read-side/projector-thread';
import { ReadModelSwitch } from '../read-side/read-model-switch';

/**
 * Prometheus metrics (ARCHITECTURE §8). Counts and durations only: no label ever carries
 * a subject id or any other value a person could be found by.
 */
@Injectable()
export class LedgerMetrics {
  readonly registry = new Registry();
  readonly commandSeconds = new Histogram({
    name: 'ledger_command_duration_seconds',
    help: 'Time to decide and durably append a command, by command route and outcome',
    labelNames: ['route', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  /** requests Node's HTTP server refused before routing: 408, 431, 400 (http/client-error.ts) */
  readonly clientErrors = new Counter({
    name: 'ledger_http_client_errors_total',
    help: 'Requests refused before routing (not received whole in time, headers too large, not HTTP), by problem code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly keysRedestroyed = new Counter({
    name: 'ledger_key_vault_keys_redestroyed_total',
    help: 'Data keys of erased subjects found alive in the key vault (restored from an older backup) and destroyed again (§2.10)',
    registers: [this.registry],
  });
  readonly unreadableValues = new Counter({
    name: 'ledger_personal_data_unreadable_total',
    help: 'Personal-data values a caller allowed to see them asked for that no key opens (not erased: lost), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly erasuresRaised = new Counter({
    name: 'ledger_erasures_overdue_raised_total',
    help: 'Erasures raised as overdue by this process (§2.10)',
    registers: [this.registry],
  });

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    queries: ReadModelQueries,
    lag: ProjectionLag,
    publishing: PublishingWorker,
    readModels: ReadModelSwitch,
    @Inject(KEY_VAULT) vault: KeyVault,
    projectorThread: ProjectorThread,
    runner: DecisionRunner,
  ) {
    collectDefaultMetrics({ register: this.registry });
    // present at 0 from the start, so an alert on any increase sees the first one
    for (const reason of UNREADABLE_REASONS) this.unreadableValues.inc({ reason }, 0);
    new Gauge({
      name: 'ledger_publisher_lag_events',
      help: 'Global positions between the event store head and what the broker acknowledged (0 when publishing is off)',
      registers: [this.registry],
      async collect() {
        this.set(publishing.topics ? Number((await store.headPosition()) - publishing.lastPosition) : 0);
      },
    });
    new Counter({
      name: 'ledger_projector_thread_restarts_total',
      help: 'Times the projector\'s thread ended unasked (or failed to start) and was started again (LEDGER_PROJECTOR_THREAD)',
      registers: [this.registry],
      collect() {
        // the thread counts; the counter shows its total
        this.reset();
        this.inc(projectorThread.restarts);
      },
    });
    new Gauge({
      name: 'ledger_command_folds_kept_streams',
      help: 'Streams whose folded state this process keeps between commands (at most 10,000; docs/operations.md, Memory of the command path)',
      registers: [this.registry],
      collect() {
        this.set(runner.kept().streams);
      },
    });
    new Gauge({
      name: 'ledger_command_folds_kept_events',
      help: 'Events folded into the streams kept between commands (at most 100,000)',
      registers: [this.registry],
      collect() {
        this.set(runner.kept().events);
      },
    });
    new Gauge({
      name: 'ledger_read_snapshots_open',
      help: 'CSV exports holding a snapshot of the read models (current generation); one that never falls back is a leak',
      registers: [this.registry],
      collect() {
        this.set(readModels.current.openSnapshots);
      },
    });
    new Gauge({
      name: 'ledger_key_vault_keys_under_previous_kek',
      help: 'Live data keys still wrapped by a key-encryption key other than LEDGER_KEK: what ledger-cli rotate-kek has left to re-wrap',
      registers: [this.registry],
      async collect() {
        this.set(await vault.keysUnderPreviousKeks());
      },
    });
    new Gauge({
      name: 'ledger_erasures_overdue',
      help: 'Open erasures raised as overdue (§2.10)',
      registers: [this.registry],
      async collect() {
        this.set((await queries.erasureCounts()).overdue);
      },
    });
    // the three projection gauges share one measurement per scrape
    const projection = () => (this.projection ??= lag.measure());
    new Gauge({
      name: 'ledger_projection_lag_events',
      help: 'Global positions between the event store head and the read-model checkpoint',
      registers: [this.registry],
      async collect() {
        const { checkpoint, head } = await projection();
        this.set(Number(head - checkpoint.position));
      },
    });
    new Gauge({
      name: 'ledger_projection_checkpoint_in_store',
      help: '1 when the event store holds the event the read models\' checkpoint names; 0 after a restore from a backup or a replaced store: rebuild',
      registers: [this.registry],
      async collect() {
        this.set((await projection()).inStore ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ledger_projection_lag_seconds',
      help: 'Age of the oldest event not yet in the read models',
      registers: [this.registry],
      async collect() {
        this.set((await projection()).secondsBehind);
      },
    });
  }

  private projection: ReturnType<ProjectionLag['measure']> | null = null;

  /** The registry's text, every gauge measured afresh. */
  scrape(): Promise<string> {
    this.projection = null;
    return this.registry.metrics();
  }
}

@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: LedgerMetrics) {}

  @Get('metrics')
  @Roles('admin', 'auditor')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Prometheus metrics (docs/operations.md, Metrics)' })
  @ApiOkResponse({ description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiExtraModels(ProblemDetails)
  @(applyDecorators(...AUTH_ERRORS))
  @Header('content-type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
