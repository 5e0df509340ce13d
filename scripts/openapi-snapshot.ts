/**
 * Writes docs/openapi.json from the running application's own document. The e2e suite
 * fails when the snapshot is stale, so an HTTP contract change lands with its document.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../apps/ledger/src/app';
import { loadConfig } from '../apps/ledger/src/config/ledger.config';
import { createRootLogger } from '../apps/ledger/src/infrastructure/logger';

export async function currentOpenApi(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-openapi-'));
  const app = await createApp({
    config: loadConfig({ LEDGER_DATA_DIR: dir, LEDGER_API_KEYS: 'x:admin:openapi-snapshot-key-000000' }),
    logger: createRootLogger('silent'),
  });
  try {
    const res = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    return `${JSON.stringify(JSON.parse(res.body), null, 2)}\n`;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void currentOpenApi().then((doc) => {
    writeFileSync(join(process.cwd(), 'docs', 'openapi.json'), doc); // npm runs scripts from the package root
    console.log('docs/openapi.json written');
  });
}
