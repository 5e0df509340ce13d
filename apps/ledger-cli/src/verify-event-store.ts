import { join } from 'node:path';
import { SqliteEventStore, verifyStore, type StoreVerification } from '@ledger/event-store';
import type { LedgerConfig } from '../../ledger/src/config/ledger.config';

export interface VerifyOptions {
  readonly config: LedgerConfig;
  /** progress and the summary, for a person (stderr) */
  readonly log?: (line: string) => void;
  /** one JSON line per break, for a program (stdout) */
  readonly out?: (line: string) => void;
}

/**
 * Verifies every stream's hash chain in the event store (ARCHITECTURE §5), e.g. after
 * restoring it from a backup, or for an auditor with access to the file. Reads the store
 * through its own connection while the service runs; what is appended meanwhile is
 * verified if the pass reaches it. Exit status: 0 every chain holds, 2 a chain is broken.
 */
export async function verifyEventStoreCommand(o: VerifyOptions): Promise<StoreVerification> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = o.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  // read-only: it changes nothing, and runs on a copy the auditor may only read
  const store = new SqliteEventStore({ filename: join(o.config.dataDir, 'events.db'), clock: () => new Date(), readonly: true });
  const started = performance.now();
  let lastReport = started;
  try {
    const head = await store.headPosition();
    const result = await verifyStore(store, {
      onProgress: (position, events) => {
        if (performance.now() - lastReport < 1000) return;
        lastReport = performance.now();
        log(`verifying: position ${position} of ${head}, ${events} events`);
      },
    });
    for (const b of result.breaks) {
      out(JSON.stringify({ streamId: b.streamId, revision: b.revision.toString(), position: b.position.toString(), reason: b.reason }));
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(result.breaks.length === 0
      ? `verified ${result.events} events in ${result.streams} streams up to position ${result.lastPosition} in ${seconds} s: every chain holds`
      : `verified ${result.events} events in ${result.streams} streams in ${seconds} s: ${result.breaks.length} broken (listed on stdout)`);
    return result;
  } finally {
    await store.close();
  }
}
