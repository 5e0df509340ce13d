import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError, dataDirOf, loadConfig } from '../../ledger/src/config/ledger.config';
import { rebuildReadModelsCommand } from './rebuild-read-models';
import { rotateKekCommand } from './rotate-kek';
import { verifyEventStoreCommand } from './verify-event-store';

/**
 * ledger-cli — operator, auditor and regulator commands. Reads the same environment as
 * the service (LEDGER_DATA_DIR, DATABASE_URL, ...).
 */
/** A file the command works on is not there (EX_NOINPUT). */
class MissingInputError extends Error {}

/**
 * Every command works on a service's existing files. Checked before the configuration is
 * loaded (which creates the data directory and the embedded default's keys): pointed at a
 * wrong LEDGER_DATA_DIR, verify-event-store created an empty store there and reported
 * "every chain holds", exit 0.
 */
function requireFile(file: 'events.db' | 'keyvault.db'): void {
  const path = join(dataDirOf(), file);
  if (!existsSync(path)) {
    throw new MissingInputError(`no ${file === 'events.db' ? 'event store' : 'key vault'} at ${path}: set LEDGER_DATA_DIR to the data directory of the service`);
  }
}

const program = new Command('ledger-cli').description('privacy ledger: operator, auditor and regulator commands');

program
  .command('rebuild-read-models')
  .description('rebuild every projection from position 0 into a fresh generation and switch to it without downtime')
  .option('--name <generation>', 'name of the new generation: lower-case letters, digits and _ (and - on SQLite), a letter first, at most 41 characters')
  .option('--drop-previous', 'drop the generation that was current before, once the new one is active')
  .action(async (opts: { name?: string; dropPrevious?: boolean }) => {
    requireFile('events.db');
    await rebuildReadModelsCommand({ config: loadConfig(), name: opts.name, dropPrevious: opts.dropPrevious });
  });

program
  .command('verify-event-store')
  .description("verify every stream's hash chain in the event store; lists each broken stream on stdout (exit 2)")
  .action(async () => {
    requireFile('events.db');
    const result = await verifyEventStoreCommand({ config: loadConfig() });
    if (result.breaks.length > 0) process.exitCode = 2;
  });

program
  .command('rotate-kek')
  .description('re-wrap every data key in the key vault under LEDGER_KEK, opening each with LEDGER_KEK_PREVIOUS; safe to run beside the service and to run again')
  .option('--batch-size <n>', 'data keys re-wrapped per transaction', (v) => Number.parseInt(v, 10), 500)
  .action(async (opts: { batchSize: number }) => {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1 || opts.batchSize > 100_000) throw new ConfigError('--batch-size must be an integer in [1, 100000]');
    requireFile('keyvault.db');
    await rotateKekCommand({ config: loadConfig(), batchSize: opts.batchSize });
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? 'configuration: ' : ''}${(error as Error).message}\n`);
  process.exit(error instanceof MissingInputError ? 66 : 1); // EX_NOINPUT
});
