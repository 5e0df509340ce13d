import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KEY_VAULT, KeyRing, keyId, SqliteKeyVault, type KeyVault } from '@ledger/crypto';
import { rotateKekCommand } from '../../ledger-cli/src/rotate-kek';
import { ConfigError } from '../src/config/ledger.config';
import { grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

/**
 * docs/operations.md, "Rotating the key-encryption key": the KEK is replaced while the
 * service runs. Data keys wrapped by the old KEK keep opening (LEDGER_KEK_PREVIOUS),
 * `ledger-cli rotate-kek` re-wraps them beside the running service, and afterwards the
 * new KEK alone opens everything. A vault no configured KEK opens is refused at start,
 * naming the key by fingerprint, instead of failing request by request.
 */
describe('rotating the key-encryption key (CLI command, e2e)', () => {
  const A = randomBytes(32).toString('base64');
  const B = randomBytes(32).toString('base64');
  const CANARY = (id: string) => `kek-canary-${id}@example.kz`;
  let l: Ledger | undefined;
  afterEach(async () => {
    await l?.close();
    l = undefined;
  });

  const valueOf = async (ledger: Ledger, id: string) => {
    const view = await ledger.read('service', `/v1/subjects/${id}`);
    expect(view.status).toBe(200);
    return (view.body.personalData as { category: string; value: { value?: string } }[]).find((d) => d.category === 'email-address')?.value.value;
  };

  it('re-wraps every data key under the new KEK beside the running service; then the new KEK alone opens them', async () => {
    const first = await startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: A });
    const dir = first.dataDir;
    await seedReferenceData(first);
    for (const id of ['k-1', 'k-2', 'k-3']) {
      expect((await first.command('service', `/v1/subjects/${id}/consents`, grantBody())).status).toBe(201);
      expect((await first.command('service', `/v1/subjects/${id}/personal-data`, { category: 'email-address', source: 'subject', value: CANARY(id) })).status).toBe(201);
    }
    await first.close({ keepData: true });

    // the new KEK alone: refused at start, by fingerprint, with what to do
    const refused = await startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: B }, dir).then(
      (started) => { l = started; return null; },
      (error: unknown) => error as Error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused!.message).toContain(`3 data keys are wrapped by key-encryption key ${keyId(Buffer.from(A, 'base64'))}`);
    expect(refused!.message).toMatch(/LEDGER_KEK_PREVIOUS and run ledger-cli rotate-kek$/);
    expect(refused!.message).not.toContain(A);
    expect(refused!.message).not.toContain(B);

    // both: the service opens the old keys, wraps new ones under B, and says a rotation is due
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: B, LEDGER_KEK_PREVIOUS: A }, dir);
    expect(l.logs()).toContain('3 data keys are still wrapped by a previous key-encryption key');
    expect(await valueOf(l, 'k-1')).toBe(CANARY('k-1'));
    expect((await l.command('service', '/v1/subjects/k-4/consents', grantBody())).status).toBe(201);
    expect((await l.command('service', '/v1/subjects/k-4/personal-data', { category: 'email-address', source: 'subject', value: CANARY('k-4') })).status).toBe(201);

    const underPrevious = async () => /^ledger_key_vault_keys_under_previous_kek (\d+)$/m.exec((await l!.call('admin', 'GET', '/metrics')).raw)?.[1];
    expect(await underPrevious()).toBe('3');
    const log: string[] = [];
    await expect(rotateKekCommand({ config: l.config, batchSize: 2, log: (x) => log.push(x) })).resolves.toEqual({ rewrapped: 3 });
    expect(log).toEqual([
      `rotating: 3 data keys are wrapped by a previous key-encryption key (${keyId(Buffer.from(A, 'base64'))})`,
      expect.stringMatching(new RegExp(`^re-wrapped 3 in [\\d.]+ s; every live data key \\(4\\) is wrapped by the current key-encryption key ${keyId(Buffer.from(B, 'base64'))}: LEDGER_KEK_PREVIOUS may be removed$`)),
    ]);
    expect(await underPrevious()).toBe('0');
    // the running service reads on, and records on, through the rotation
    expect(await valueOf(l, 'k-2')).toBe(CANARY('k-2'));
    expect((await l.command('service', '/v1/subjects/k-1/personal-data', { category: 'phone-number', source: 'subject', value: '+77010000001' })).status).toBe(201);
    const logs = l.logs() + log.join('\n');
    await l.close({ keepData: true });
    // a restart with the retired key still listed says it is no longer needed
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: B, LEDGER_KEK_PREVIOUS: A }, dir);
    expect(l.logs()).toContain(`LEDGER_KEK_PREVIOUS is set, but no live data key is wrapped by ${keyId(Buffer.from(A, 'base64'))} any more: remove it`);
    await l.close({ keepData: true });

    // the new KEK alone now opens every value, old and new
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: B }, dir);
    for (const id of ['k-1', 'k-2', 'k-3', 'k-4']) expect(await valueOf(l, id)).toBe(CANARY(id));
    expect(l.logs()).not.toContain('previous key-encryption key');
    for (const secret of [A, B, CANARY('k-1'), CANARY('k-4')]) expect(logs + l.logs()).not.toContain(secret);
  });

  it('refuses LEDGER_KEK_PREVIOUS that is not a list of 32-byte keys, or that repeats LEDGER_KEK', async () => {
    await expect(startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: B, LEDGER_KEK_PREVIOUS: `${A},c2hvcnQ=` })).rejects.toThrow(
      new ConfigError('LEDGER_KEK_PREVIOUS: entry 2 is not a base64 key of 32 bytes'),
    );
    await expect(startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: B, LEDGER_KEK_PREVIOUS: B })).rejects.toThrow(/LEDGER_KEK_PREVIOUS: key-encryption key [0-9a-f]{16} is listed twice/);
  });

  it('rotates from a process of its own while the service records and reads personal data (busy_timeout, no error on either side)', async () => {
    const first = await startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: A });
    const dir = first.dataDir;
    await seedReferenceData(first);
    const old = Array.from({ length: 20 }, (_, i) => `c-old-${i}`);
    for (const id of old) {
      expect((await first.command('service', `/v1/subjects/${id}/consents`, grantBody())).status).toBe(201);
      expect((await first.command('service', `/v1/subjects/${id}/personal-data`, { category: 'email-address', source: 'subject', value: CANARY(id) })).status).toBe(201);
    }
    await first.close({ keepData: true });
    // 3,000 more keys under A, so that the rotation (one key a transaction) lasts a while
    const seed = new SqliteKeyVault(join(dir, 'keyvault.db'), new KeyRing(Buffer.from(A, 'base64')), () => new Date());
    for (let i = 0; i < 3000; i++) await seed.getOrCreate(`c-bulk-${i}`);
    await seed.close();

    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_KEK: B, LEDGER_KEK_PREVIOUS: A }, dir);
    // the projector's thread up and caught up first: from TypeScript sources it takes a
    // second or two to start, and the first read below would wait for it while the
    // rotation ran alone (CI saw one overlapping round, not six)
    await l.settled();
    const cli = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, '../../ledger-cli/src/main.ts'), 'rotate-kek', '--batch-size', '1'], {
      cwd: join(__dirname, '../../..'),
      env: { ...process.env, LEDGER_DATA_DIR: dir, LEDGER_KEK: B, LEDGER_KEK_PREVIOUS: A, LEDGER_API_KEYS: l.config.apiKeys.map((k) => `${k.name}:${k.role}:${k.secret}`).join(',') },
    });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    let running = true;
    void exited.then(() => (running = false));
    // the service writes new keys and reads old ones for as long as the rotation runs
    const statuses: number[] = [];
    let overlapped = 0;
    for (let i = 0; running || i < 10; i++) {
      const id = `c-new-${i}`;
      statuses.push((await l.command('service', `/v1/subjects/${id}/consents`, grantBody())).status);
      statuses.push((await l.command('service', `/v1/subjects/${id}/personal-data`, { category: 'email-address', source: 'subject', value: CANARY(id) })).status);
      // an old subject, projected before the rotation began: no wait for the projector
      statuses.push((await l.call('service', 'GET', `/v1/subjects/${old[i % old.length]}`)).status);
      if (running) overlapped++;
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/re-wrapped 3020 in [\d.]+ s; every live data key \(\d+\) is wrapped by the current key-encryption key/);
    expect(overlapped).toBeGreaterThan(5); // the two really ran side by side
    expect(new Set(statuses)).toEqual(new Set([200, 201]));
    const vault = l.app.get<KeyVault>(KEY_VAULT);
    await expect(vault.keysUnderPreviousKeks()).resolves.toBe(0);
    for (const id of [...old, 'c-new-0', `c-new-${overlapped - 1}`]) {
      const view = await l.read('service', `/v1/subjects/${id}`);
      expect(view.body.personalData[0].value).toEqual({ visible: true, value: CANARY(id) });
    }
  }, 60_000);
});
