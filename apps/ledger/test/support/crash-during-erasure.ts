/**
 * Child process for the erasure crash test: starts the ledger on an existing data
 * directory at a given instant and runs one scheduler tick whose key destruction kills
 * the process with SIGKILL — after the decision (ErasureStarted) is stored, before the
 * key is destroyed or the shredding recorded.
 *
 *   node -r @swc-node/register crash-during-erasure.ts <dataDir> <ISO instant>
 */
import 'reflect-metadata';
import { KEY_VAULT, type KeyVault } from '@ledger/crypto';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/ledger.config';
import { ErasureScheduler } from '../../src/erasure/erasure-scheduler';
import { createRootLogger } from '../../src/infrastructure/logger';
import { ReadYourWrites } from '../../src/read-side/read-side.module';

async function main() {
  const [dataDir, instant] = process.argv.slice(2) as [string, string];
  const config = loadConfig({
    LEDGER_DATA_DIR: dataDir,
    LEDGER_API_KEYS: 'crash:service:crash-test-key-000000000000',
    LEDGER_ROLES: 'api,projector',
    LEDGER_ERASURE_SYSTEMS: 'crm',
  });
  const app = await createApp({ config, logger: createRootLogger('silent'), clock: { now: () => new Date(instant) } });
  const head = await app.get<EventStore>(EVENT_STORE).headPosition();
  while ((await app.get(ReadYourWrites).position()) < head) await new Promise((r) => setTimeout(r, 5));
  const vault = app.get<KeyVault>(KEY_VAULT);
  vault.destroy = async () => {
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => undefined);
  };
  await app.get(ErasureScheduler).tick();
  process.exit(3); // not reached: the tick kills the process first
}

void main();
