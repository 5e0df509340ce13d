import type { LedgerConfig } from '../../ledger/src/config/ledger.config';
import { keysIn } from '@ledger/crypto';
import { dataKeys, openKeyVault } from '../../ledger/src/infrastructure/key-vault';

export interface RotateKekOptions {
  readonly config: LedgerConfig;
  /** data keys re-wrapped per transaction */
  readonly batchSize?: number;
  /** progress and the summary, for a person (stderr) */
  readonly log?: (line: string) => void;
}

/**
 * Re-wraps every live data key in the key vault under the current key-encryption key
 * (LEDGER_KEK), opening each with the key that wrapped it (LEDGER_KEK_PREVIOUS). The
 * data keys, and with them every sealed value in the events, read models and backups,
 * stay as they are: only their wrapping changes. Runs beside the service (which must
 * have the same two settings), in batches of one transaction each, and may be stopped
 * and run again at any point. Once it reports that no key is left under a previous KEK,
 * remove LEDGER_KEK_PREVIOUS and restart (docs/operations.md, "Rotating the key-encryption key").
 */
export async function rotateKekCommand(o: RotateKekOptions): Promise<{ rewrapped: number }> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const vault = await openKeyVault(o.config, log, () => new Date(), { rotationHints: false });
  try {
    const before = await vault.inventory({ current: false });
    log(`rotating: ${dataKeys(keysIn(before))} wrapped by a previous key-encryption key (${before.map((k) => k.kekId).join(', ') || 'none'})`);
    const started = performance.now();
    let lastReport = started;
    const result = await vault.rewrap({
      batchSize: o.batchSize,
      onBatch: (n) => {
        if (performance.now() - lastReport < 1000) return;
        lastReport = performance.now();
        log(`re-wrapping: ${n} data keys so far`);
      },
    });
    const left = await vault.inventory({ current: false });
    const current = (await vault.inventory()).find((k) => k.current);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const done = `re-wrapped ${result.rewrapped} in ${seconds} s`;
    log(left.length === 0
      ? `${done}; every live data key (${current?.keys ?? 0}) is wrapped by the current key-encryption key ${vault.currentKekId}: LEDGER_KEK_PREVIOUS may be removed`
      : `${done}; ${dataKeys(keysIn(left))} still under a previous key (written meanwhile by a process with another LEDGER_KEK?): run it again`);
    return result;
  } finally {
    await vault.close();
  }
}
