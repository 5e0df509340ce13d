import type { Logger } from 'pino';
import { unreadableEvent, UnreadableHistoryError } from '@ledger/domain';
import { CheckpointNotInStoreError } from '@ledger/event-store';
import type { Projector } from '@ledger/read-models';
import { loggableError } from '../infrastructure/logger';
import { sleep } from '../infrastructure/sleep';

/** What the loop needs of ReadModelSwitch. */
export interface GenerationFollower {
  readonly generation: string;
  recover(error: unknown, usedGeneration: string): Promise<boolean>;
}

/**
 * The projector's life, the same in the service's thread and in a thread of its own
 * (LEDGER_PROJECTOR_THREAD): follow the event store into the read models until stopped,
 * and start again after an error — at once after a transient one, every 30 s after one
 * that takes an operator or an upgrade.
 */
export class ProjectorLoop {
  private readonly abort = new AbortController();
  private current = new AbortController();
  private loop: Promise<void> | null = null;

  /**
   * @param generations the read-model switch the projector's tables come from: a batch
   *   that fails because its generation was dropped under it (`--drop-previous`) has the
   *   pointer read at once, and the loop goes on in the current generation without the
   *   pause after an error
   */
  constructor(private readonly projector: Projector, private readonly logger: Logger, private readonly generations: GenerationFollower) {}

  get running(): boolean {
    return this.loop !== null;
  }

  start(): void {
    this.loop ??= this.follow();
  }

  /** Stops the current run; the loop starts again from the (new) stored checkpoint. */
  restart(): void {
    this.projector.reset();
    this.current.abort();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async follow(): Promise<void> {
    while (!this.abort.signal.aborted) {
      this.current = new AbortController();
      const stop = () => this.current.abort();
      this.abort.signal.addEventListener('abort', stop, { once: true });
      const generation = this.generations.generation;
      try {
        await this.projector.run(this.current.signal);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (await this.generations.recover(error, generation)) {
          this.logger.warn({ from: generation, to: this.generations.generation }, 'the projector\'s read-model generation was dropped (a rebuild\'s --drop-previous); going on in the current one');
          continue;
        }
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
}
