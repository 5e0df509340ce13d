import { Command } from 'commander';
import { ConfigError, loadConfig } from '../../ledger/src/config/ledger.config';
import { rebuildReadModelsCommand } from './rebuild-read-models';
import { rotateKekCommand } from './rotate-kek';
import { verifyEventStoreCommand } from './verify-event-store';

/**
 * ledger-cli — operator, auditor and regulator commands. Reads the same environment as
 * the service (LEDGER_DATA_DIR, DATABASE_URL, ...).
 */
const program = new Command('ledger-cli').description('privacy ledger: operator, auditor and regulator commands');

program
  .command('rebuild-read-models')
  .description('rebuild every projection from position 0 into a fresh generation and switch to it without downtime')
  .option('--name <generation>', 'name of the new generation (lower-case letters, digits, _ and -)')
  .option('--drop-previous', 'drop the generation that was current before, once the new one is active')
  .action(async (opts: { name?: string; dropPrevious?: boolean }) => {
    await rebuildReadModelsCommand({ config: loadConfig(), name: opts.name, dropPrevious: opts.dropPrevious });
  });

program
  .command('verify-event-store')
  .description("verify every stream's hash chain in the event store; lists each broken stream on stdout (exit 2)")
  .action(async () => {
    const result = await verifyEventStoreCommand({ config: loadConfig() });
    if (result.breaks.length > 0) process.exitCode = 2;
  });

program
  .command('rotate-kek')
  .description('re-wrap every data key in the key vault under LEDGER_KEK, opening each with LEDGER_KEK_PREVIOUS; safe to run beside the service and to run again')
  .option('--batch-size <n>', 'data keys re-wrapped per transaction', (v) => Number.parseInt(v, 10), 500)
  .action(async (opts: { batchSize: number }) => {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1 || opts.batchSize > 100_000) throw new ConfigError('--batch-size must be an integer in [1, 100000]');
    await rotateKekCommand({ config: loadConfig(), batchSize: opts.batchSize });
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? 'configuration: ' : ''}${(error as Error).message}\n`);
  process.exit(1);
});
