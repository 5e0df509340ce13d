import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openReadModelDatabase } from './database';

describe('read-model database on SQLite', () => {
  it('migrates once when several processes open an empty file at the same instant (API and projector starting together)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-rm-migrate-'));
    try {
      for (let round = 0; round < 3; round++) {
        const filename = join(dir, `round-${round}.db`);
        const at = Date.now() + 3000;
        const script = `const { openReadModelDatabase } = require(${JSON.stringify(join(__dirname, 'database.ts'))});
          (async () => {
            const rm = openReadModelDatabase({ kind: 'sqlite', filename: ${JSON.stringify(filename)} });
            while (Date.now() < ${at});
            await rm.migrate();
            await rm.close();
          })().catch((e) => { console.error(e.message); process.exit(1); });`;
        const run = () => promisify(execFile)(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: join(__dirname, '../../..') });
        const results = await Promise.allSettled(Array.from({ length: 6 }, run));
        expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason.stderr))).toEqual([]);
        const rm = openReadModelDatabase({ kind: 'sqlite', filename });
        const migrations = await rm.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
        await rm.migrate(); // nothing left to do
        expect(migrations.length).toBeGreaterThan(0);
        await rm.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
