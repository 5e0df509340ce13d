import { Injectable, type BeforeApplicationShutdown, type INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { sleep } from '../infrastructure/sleep';

/** Whether this instance is shutting down: readiness fails from then on. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private draining = false;

  get active(): boolean {
    return this.draining;
  }

  begin(): void {
    this.draining = true;
  }

  /** a plain app.close(), without shutDown(), is a shutdown too */
  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}

/**
 * The shutdown a signal starts (main.ts). Readiness fails at once, and for `graceMs`
 * (LEDGER_SHUTDOWN_GRACE_MS) the instance goes on serving, so that a load balancer that
 * still routes here meanwhile loses nothing; then the workers stop, the HTTP server
 * finishes the requests it is running and answers any other 503 SHUTTING_DOWN, the
 * pending group commit is flushed and the store closed (docs/operations.md, Shutdown).
 */
export async function shutDown(app: INestApplication, logger: Logger, graceMs: number, signal: string): Promise<void> {
  app.get(ShutdownState).begin();
  logger.info({ signal, graceMs }, 'shutdown requested: readiness fails now; serving on through the grace period');
  if (graceMs > 0) await sleep(graceMs);
  await app.close();
}
