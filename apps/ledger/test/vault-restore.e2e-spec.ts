import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_VAULT, type KeyVault } from '@ledger/crypto';
import { ErasureScheduler } from '../src/erasure/erasure-scheduler';
import { almaty, grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

/**
 * docs/operations.md, "Key vault backups": a vault restored from a backup taken before an
 * erasure holds the erased subject's data key alive again — whoever has the vault and the
 * KEK could open that subject's ciphertext in the events once more. The scheduler finds
 * erased subjects without a tombstone and destroys their keys again (§2.10).
 */
/** SQLite's online backup of the running service's key vault, as an operator takes it. */
async function backUpVault(dir: string): Promise<string> {
  const backup = `${dir}-vault.bak`;
  const live = new Database(join(dir, 'keyvault.db'));
  await live.backup(backup);
  live.close();
  return backup;
}

/** Puts the backup back in place of the vault, with the service stopped; the events and read models stay. */
async function restoreVault(dir: string, backup: string): Promise<void> {
  rmSync(join(dir, 'keyvault.db-wal'), { force: true });
  const restored = new Database(backup);
  await restored.backup(join(dir, 'keyvault.db'));
  restored.close();
  rmSync(backup);
}

describe('key vault restored from a backup older than an erasure (§2.10)', () => {
  let l: Ledger | undefined;
  afterEach(async () => {
    await l?.close();
  });

  const erase = async (ledger: Ledger, id: string) => {
    const w = await ledger.command('service', `/v1/subjects/${id}/consent-withdrawals`, { purposes: 'all', receivedOn: '2026-03-02' });
    expect(w.status).toBe(201);
  };

  it('destroys the keys of erased subjects again, at the time the ledger recorded, and writes no event', async () => {
    const first = await startLedger(almaty('2026-03-02'));
    const dir = first.dataDir;
    await seedReferenceData(first);
    for (const id of ['r-1', 'r-2', 'r-3']) {
      await first.command('service', `/v1/subjects/${id}/consents`, grantBody());
      await first.command('service', `/v1/subjects/${id}/personal-data`, { category: 'email-address', source: 'subject', value: `canary-${id}@example.kz` });
    }
    // the backup: before any erasure, and before r-4 had a key at all
    const backup = await backUpVault(dir);
    await first.command('service', '/v1/subjects/r-4/consents', grantBody());
    await first.command('service', '/v1/subjects/r-4/personal-data', { category: 'email-address', source: 'subject', value: 'canary-r-4@example.kz' });
    for (const id of ['r-1', 'r-2', 'r-4']) await erase(first, id);
    first.clock.set(almaty('2026-04-18', 0.5));
    await first.settled();
    expect((await first.app.get(ErasureScheduler).tick()).shredded).toBe(3);
    await first.settled();
    const shreddedAt = (await first.read('auditor', '/v1/subjects/r-1')).body.erasedAt as string;
    expect(shreddedAt).toBe(almaty('2026-04-18', 0.5));
    await first.close({ keepData: true });

    // the vault comes back from the backup, the events and read models do not
    await restoreVault(dir, backup);

    // no scheduler role: its start-up tick would race the one the test runs
    l = await startLedger(almaty('2026-04-20'), { LEDGER_ROLES: 'api,projector' }, dir);
    const vault = l.app.get<KeyVault>(KEY_VAULT);
    await l.settled();
    await expect(vault.get('r-1')).resolves.toMatchObject({ status: 'active' }); // what the restore did
    const before = l.fingerprint()['events.db'];
    await expect(l.app.get(ErasureScheduler).tick()).resolves.toMatchObject({ redestroyed: 3, shredded: 0 });
    for (const id of ['r-1', 'r-2', 'r-4']) {
      await expect(vault.get(id)).resolves.toEqual({ status: 'destroyed', destroyedAt: shreddedAt });
    }
    expect((await vault.get('r-3')).status).toBe('active'); // never erased: untouched
    expect(l.fingerprint()['events.db']).toBe(before); // the erasures are on record already
    expect(l.logs()).toContain('their keys are destroyed again (§2.10)');
    expect((await l.call('admin', 'GET', '/metrics')).raw).toMatch(/^ledger_key_vault_keys_redestroyed_total 3$/m);
    // converged: the next tick finds as many tombstones as erased subjects and does nothing
    await expect(l.app.get(ErasureScheduler).tick()).resolves.toMatchObject({ redestroyed: 0 });
    expect(l.logs()).not.toContain('canary-r-');
  });

  it('answers a value whose key the restore lost as unreadable (never a 500), and issues a new key for new values', async () => {
    const first = await startLedger(almaty('2026-03-02'));
    const dir = first.dataDir;
    await seedReferenceData(first);
    const backup = await backUpVault(dir);
    // after the backup: a subject, its key and a value
    await first.command('service', '/v1/subjects/n-1/consents', grantBody());
    await first.command('service', '/v1/subjects/n-1/personal-data', { category: 'email-address', source: 'subject', value: 'canary-lost@example.kz' });
    await first.close({ keepData: true });
    await restoreVault(dir, backup);

    l = await startLedger(almaty('2026-03-03'), {}, dir);
    await l.settled();
    const view = await l.read('service', '/v1/subjects/n-1');
    expect(view.status).toBe(200);
    expect(view.body.personalData).toEqual([expect.objectContaining({ category: 'email-address', value: { visible: true, unreadable: true, reason: 'key-missing' } })]);
    expect((await l.read('auditor', '/v1/subjects/n-1')).body.personalData[0].value).toEqual({ visible: false });
    expect(l.logs()).toContain('a personal-data value cannot be opened');
    const metrics = (await l.call('admin', 'GET', '/metrics')).raw;
    expect(metrics).toMatch(/^ledger_personal_data_unreadable_total\{reason="key-missing"\} 1$/m);
    expect(metrics).toMatch(/^ledger_personal_data_unreadable_total\{reason="does-not-open"\} 0$/m);

    // a new value gets a new key; the old one stays lost, and says so
    expect((await l.command('service', '/v1/subjects/n-1/personal-data', { category: 'phone-number', source: 'subject', value: '+77010000002' })).status).toBe(201);
    const history = await l.call('service', 'GET', '/v1/subjects/n-1/history'); // from the event store
    expect(history.status).toBe(200);
    const values = (history.body.events as { type: string; data: { category: string; value: unknown } }[])
      .filter((e) => e.type === 'PersonalDataRecorded').map((e) => [e.data.category, e.data.value]);
    expect(values).toEqual([
      ['email-address', { visible: true, unreadable: true, reason: 'does-not-open' }],
      ['phone-number', { visible: true, value: '+77010000002' }],
    ]);
    expect(l.logs()).not.toContain('canary-lost');
  });
});
