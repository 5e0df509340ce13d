import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { ReadModelGenerations, rebuildReadModels } from '@ledger/read-models';
import type { LedgerConfig } from '../../ledger/src/config/ledger.config';
import { RETIRE_AFTER_MS } from '../../ledger/src/read-side/read-model-switch';

export interface RebuildOptions {
  readonly config: LedgerConfig;
  /** the new generation's name; default rm_<UTC timestamp> */
  readonly name?: string;
  readonly dropPrevious?: boolean;
  /**
   * how long to wait between activating the new generation and dropping the previous
   * one; default: LEDGER_GENERATION_POLL_MS, and then the RETIRE_AFTER_MS a service keeps
   * the previous generation open for reads in flight, and a second more
   */
  readonly dropAfterMs?: number;
  readonly clock?: () => Date;
  readonly log?: (line: string) => void;
}

/**
 * Rebuilds every projection from position 0 into a fresh generation while the service
 * keeps serving the current one, then activates it; running services switch over within
 * LEDGER_GENERATION_POLL_MS. The previous generation is kept for rollback unless asked.
 */
export async function rebuildReadModelsCommand(o: RebuildOptions) {
  const clock = o.clock ?? (() => new Date());
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = new SqliteEventStore({ filename: join(o.config.dataDir, 'events.db'), clock });
  const generations = new ReadModelGenerations(
    o.config.databaseUrl ? { kind: 'postgres', url: o.config.databaseUrl } : { kind: 'sqlite', dir: o.config.dataDir },
  );
  const name = o.name ?? `rm_${clock().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}`;
  const started = performance.now();
  let lastReport = 0;
  try {
    const result = await rebuildReadModels({
      store,
      generations,
      name,
      clock,
      onProgress: (position, head) => {
        if (performance.now() - lastReport < 1000) return;
        lastReport = performance.now();
        log(`rebuilding ${name}: position ${position} of ${head}`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    log(`rebuilt ${result.events} events into ${name} in ${seconds.toFixed(1)} s; active now (previous: ${result.previous})`);
    if (o.dropPrevious && result.previous !== generations.defaultGeneration) {
      // Running services read the previous generation until their poll sees the pointer
      // move, and for RETIRE_AFTER_MS after that. A service that meets a dropped generation
      // anyway (a longer poll, a pause) reads the pointer at once and answers from the new
      // one (ReadModelSwitch.recover).
      const wait = o.dropAfterMs ?? o.config.generationPollMs + RETIRE_AFTER_MS + 1000;
      if (wait > 0) {
        log(`waiting ${(wait / 1000).toFixed(1)} s for running services to move off ${result.previous} before dropping it`);
        await new Promise((r) => setTimeout(r, wait));
      }
      await generations.drop(result.previous);
      log(`dropped ${result.previous}`);
    }
    return result;
  } finally {
    await store.close();
  }
}
