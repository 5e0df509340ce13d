import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { EVENT_STORE, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger.config';
import { loggableError, ROOT_LOGGER } from '../infrastructure/logger';
import { ReadModelSwitch } from './read-model-switch';

/** What the projector's thread is given (projector-thread.worker.ts). */
export interface ProjectorThreadData {
  readonly eventsFile: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly generationPollMs: number;
  readonly logLevel: string;
  /** a counter the service's thread moves after each commit of an append */
  readonly appended: Int32Array;
}

/** What it says: a batch applied (the read models reached `position`); a log line. */
export type ProjectorThreadMessage =
  | { readonly kind: 'batch'; readonly position: string }
  | { readonly kind: 'log'; readonly line: string };

/** What the service tells it: stop; look at the generation pointer now. */
export type ProjectorThreadCommand = { readonly kind: 'stop' } | { readonly kind: 'follow' };

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal',
};

/**
 * The projector in a worker thread of its own (LEDGER_PROJECTOR_THREAD, on by default):
 * projecting a batch — reading and parsing events, native upserts, a commit — no longer
 * holds up the event loop that serves the API, and uses the machine's other core.
 * Measured in docs/benchmarks.md. The thread has its own connections; the read models
 * are read here the way a replica reads those another process projects (the stored,
 * verified checkpoint), woken at each batch the thread reports. A thread that ends
 * unasked is started again after 1 s.
 */
@Injectable()
export class ProjectorThread implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker | null = null;
  private stopping = false;
  private readonly listeners = new Set<(position: bigint) => void>();
  private readonly appended = new Int32Array(new SharedArrayBuffer(4));
  private offAppended: (() => void) | null = null;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    switcher: ReadModelSwitch,
  ) {
    // The thread follows the generation pointer with a switch of its own; when the
    // service's moves first (its poll came earlier, or a read found its generation
    // dropped), the thread is told to look at once rather than at its next poll.
    switcher.onSwitch(() => this.worker?.postMessage({ kind: 'follow' } satisfies ProjectorThreadCommand));
  }

  /** times the thread ended unasked and was started again (ledger_projector_thread_restarts_total) */
  restarts = 0;

  /** the thread is running (or being started again) */
  get enabled(): boolean {
    return this.config.processRoles.has('projector') && this.config.projectorThread;
  }

  /** Calls `listener` after each batch the thread applied, with the position it reached. */
  onBatch(listener: (position: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    if (!(this.store instanceof SqliteEventStore)) throw new Error('the projector thread reads the SQLite event store; set LEDGER_PROJECTOR_THREAD=off');
    this.offAppended = this.store.onAppended(() => {
      Atomics.add(this.appended, 0, 1);
      Atomics.notify(this.appended, 0);
    });
    this.start();
  }

  private start(): void {
    this.restartTimer = null;
    // From TypeScript sources (tests) the thread needs the same on-the-fly compiler as the caller.
    const ts = __filename.endsWith('.ts');
    const data: ProjectorThreadData = {
      eventsFile: join(this.config.dataDir, 'events.db'),
      databaseUrl: this.config.databaseUrl,
      dataDir: this.config.dataDir,
      generationPollMs: this.config.generationPollMs,
      logLevel: this.logger.level,
      appended: this.appended,
    };
    const worker = new Worker(join(__dirname, `projector-thread.worker.${ts ? 'ts' : 'js'}`), {
      workerData: data,
      execArgv: ts ? ['-r', '@swc-node/register'] : [],
    });
    worker.on('message', (m: ProjectorThreadMessage) => this.receive(m));
    worker.on('error', (error) => this.logger.error({ err: loggableError(error) }, 'projector thread failed'));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      if (this.stopping) return;
      this.restarts++;
      this.logger.error({ exitCode: code }, 'projector thread ended; starting it again in 1 s');
      this.restartTimer = setTimeout(() => this.start(), 1000);
      this.restartTimer.unref();
    });
    this.worker = worker;
  }

  private receive(m: ProjectorThreadMessage): void {
    if (m.kind === 'batch') {
      const position = BigInt(m.position);
      for (const l of this.listeners) l(position);
    } else if (m.kind === 'log') {
      const { level, time: _time, service: _service, msg, ...fields } = JSON.parse(m.line) as Record<string, unknown>;
      this.logger[LEVELS[level as number] ?? 'info']({ ...fields, thread: 'projector' }, String(msg ?? ''));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.offAppended?.();
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ kind: 'stop' } satisfies ProjectorThreadCommand);
    // a batch in flight finishes first; a thread that does not end in 10 s is ended
    const timer = setTimeout(() => void worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
