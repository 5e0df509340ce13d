import { join } from 'node:path';
import { KeyRing, keysIn, loadSecretKey, SqliteKeyVault, UnknownKekError } from '@ledger/crypto';
import { ConfigError, type LedgerConfig } from '../config/ledger.config';

/**
 * Opens the key vault with the configured key-encryption keys: LEDGER_KEK (or the key
 * the embedded default generated into the data directory) wraps new data keys;
 * LEDGER_KEK_PREVIOUS still opens the ones a rotation has not re-wrapped yet.
 *
 * Refuses, as a configuration error, a vault holding live data keys that none of those
 * keys wrapped (a KEK replaced without LEDGER_KEK_PREVIOUS, a lost `kek.key`): started
 * anyway, every write of personal data and every decrypting read of those subjects
 * would fail.
 */
export async function openKeyVault(
  config: LedgerConfig,
  warn: (message: string) => void,
  now: () => Date,
  /** the service says at start what a rotation has left to do; the rotation itself need not */
  options: { rotationHints?: boolean } = {},
): Promise<SqliteKeyVault> {
  const current = loadSecretKey({ name: 'LEDGER_KEK', configured: config.kek, file: join(config.dataDir, 'kek.key') }, warn);
  let ring: KeyRing;
  try {
    ring = new KeyRing(current, config.kekPrevious);
  } catch (error) {
    throw new ConfigError(`LEDGER_KEK_PREVIOUS: ${(error as Error).message}`);
  }
  const vault = new SqliteKeyVault(join(config.dataDir, 'keyvault.db'), ring, now);
  let retired;
  try {
    retired = await vault.assertOpenable();
  } catch (error) {
    await vault.close();
    if (error instanceof UnknownKekError) {
      throw new ConfigError(`the key vault cannot be opened: ${error.message} (LEDGER_KEK is ${ring.currentId}`
        + `${ring.previousIds.length > 0 ? `, LEDGER_KEK_PREVIOUS ${ring.previousIds.join(', ')}` : ''});`
        + ' set LEDGER_KEK to the key that wrapped them, or list it in LEDGER_KEK_PREVIOUS and run ledger-cli rotate-kek');
    }
    throw error;
  }
  if (options.rotationHints === false) return vault;
  const idle = ring.previousIds.filter((id) => !retired.some((k) => k.kekId === id));
  if (idle.length > 0) warn(`LEDGER_KEK_PREVIOUS is set, but no live data key is wrapped by ${idle.join(', ')} any more: remove it`);
  if (retired.length > 0) {
    warn(`${dataKeys(keysIn(retired))} still wrapped by a previous key-encryption key (${retired.map((k) => k.kekId).join(', ')}): run ledger-cli rotate-kek, then remove LEDGER_KEK_PREVIOUS`);
  }
  return vault;
}

/** "1 data key is", "3 data keys are" */
export const dataKeys = (n: number) => `${n} data key${n === 1 ? ' is' : 's are'}`;
