import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyEventStoreCommand } from '../../ledger-cli/src/verify-event-store';
import { grantBody, seedReferenceData, startLedger } from './harness';

/**
 * `ledger-cli verify-event-store` (docs/operations.md): every chain of a store the service
 * wrote holds; one altered event is reported on stdout by stream, revision and position.
 */
describe('verify-event-store (CLI command, e2e)', () => {
  it('finds every chain intact, then reports the one event changed in the file', async () => {
    const l = await startLedger();
    await seedReferenceData(l);
    for (const id of ['v-1', 'v-2', 'v-3']) {
      await l.command('service', `/v1/subjects/${id}/consents`, grantBody());
      await l.command('service', `/v1/subjects/${id}/personal-data`, { category: 'email-address', source: 'subject', value: `${id}@example.kz` });
    }
    const history = await l.call('auditor', 'GET', '/v1/subjects/v-2/history?include=stored');
    const target = history.body.events[1] as { position: string; revision: string };
    await l.close({ keepData: true });

    const run = async () => {
      const log: string[] = [];
      const out: string[] = [];
      const result = await verifyEventStoreCommand({ config: l.config, log: (x) => log.push(x), out: (x) => out.push(x) });
      return { result, log, out };
    };
    const intact = await run();
    expect(intact.result.breaks).toEqual([]);
    expect(intact.result.streams).toBeGreaterThanOrEqual(4); // three subjects, the policy, recipients
    expect(intact.out).toEqual([]);
    expect(intact.log.at(-1)).toMatch(/^verified \d+ events in \d+ streams up to position \d+ in [\d.]+ s: every chain holds$/);

    // someone with the file relabels one sealed value's category
    const raw = new Database(join(l.dataDir, 'events.db'));
    raw.exec('DROP TRIGGER events_immutable_update');
    raw.prepare("UPDATE events SET data = replace(data, '\"category\":\"email-address\"', '\"category\":\"phone-number\"') WHERE position = ?").run(Number(target.position));
    raw.close();
    const broken = await run();
    expect(broken.out.map((line) => JSON.parse(line))).toEqual([
      { streamId: 'subject-v-2', revision: target.revision, position: target.position, reason: 'hash-mismatch' },
    ]);
    expect(broken.log.at(-1)).toMatch(/1 broken \(listed on stdout\)$/);
    expect([...broken.log, ...broken.out].join('\n')).not.toContain('@example.kz');
    await l.close();
  });

  it('refuses a data directory with no store, exit 66, and creates nothing there (it verified a store it had just created)', () => {
    const parent = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
    try {
      const dir = join(parent, 'not-the-data-directory');
      for (const [command, missing] of [['verify-event-store', 'event store'], ['rebuild-read-models', 'event store'], ['rotate-kek', 'key vault']] as const) {
        const run = spawnSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, '../../ledger-cli/src/main.ts'), command], {
          cwd: join(__dirname, '../../..'), env: { ...process.env, LEDGER_DATA_DIR: dir }, encoding: 'utf8',
        });
        expect({ command, status: run.status, stderr: run.stderr.trim() })
          .toEqual({ command, status: 66, stderr: `no ${missing} at ${join(dir, missing === 'event store' ? 'events.db' : 'keyvault.db')}: set LEDGER_DATA_DIR to the data directory of the service` });
        expect(run.stdout).toBe('');
      }
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 60_000);
});
