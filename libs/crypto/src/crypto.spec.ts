import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadSecretKey } from './kek';
import { Pseudonymiser } from './pseudonymiser';
import { PersonalDataSealer } from './sealer';
import { SqliteKeyVault } from './sqlite-key-vault';
import { DataKeyDestroyedError } from './key-vault.port';

const clock = () => new Date('2026-11-25T10:00:00Z');

describe('crypto', () => {
  let dir: string;
  let vault: SqliteKeyVault;
  let sealer: PersonalDataSealer;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-crypto-'));
    vault = new SqliteKeyVault(join(dir, 'vault.db'), randomBytes(32), clock);
    sealer = new PersonalDataSealer(vault);
  });
  afterEach(async () => {
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals a value that only opens for its own subject and category', async () => {
    const sealed = await sealer.seal('subj-1', 'email-address', 'canary-7f3a@example.kz');
    expect(JSON.stringify(sealed)).not.toContain('canary-7f3a');
    await expect(sealer.open('subj-1', 'email-address', sealed)).resolves.toEqual({ status: 'plaintext', value: 'canary-7f3a@example.kz' });
    await expect(sealer.open('subj-1', 'phone-number', sealed)).rejects.toThrow(); // AAD binds category
    await sealer.seal('subj-2', 'email-address', 'x');
    await expect(sealer.open('subj-2', 'email-address', sealed)).rejects.toThrow(); // and subject
  });

  it('uses a fresh nonce for every seal', async () => {
    const a = await sealer.seal('s', 'email-address', 'same');
    const b = await sealer.seal('s', 'email-address', 'same');
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it('crypto-shreds: after destroy the value reads as erased, a tombstone remains, no new key is issued', async () => {
    const sealed = await sealer.seal('subj-1', 'phone-number', '+77010000000');
    await vault.destroy('subj-1', new Date('2026-12-01T00:00:00Z'));
    await expect(sealer.open('subj-1', 'phone-number', sealed)).resolves.toEqual({ status: 'erased', erasedAt: '2026-12-01T00:00:00.000Z' });
    await expect(vault.get('subj-1')).resolves.toEqual({ status: 'destroyed', destroyedAt: '2026-12-01T00:00:00.000Z' });
    await expect(vault.getOrCreate('subj-1')).rejects.toBeInstanceOf(DataKeyDestroyedError);
    await expect(vault.get('never')).resolves.toEqual({ status: 'none' });
  });

  it('leaves no wrapped key bytes in the vault files after destroy', async () => {
    await vault.getOrCreate('subj-1');
    const before = (await vault.get('subj-1')) as { key: Buffer };
    await vault.destroy('subj-1', clock());
    await vault.close();
    // the raw data key must not be recoverable from any file in the directory
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).includes(before.key)).toBe(false);
    vault = new SqliteKeyVault(join(dir, 'vault.db'), randomBytes(32), clock);
  });

  it('refuses a vault opened with another key-encryption key', async () => {
    await vault.getOrCreate('subj-1');
    await vault.close();
    vault = new SqliteKeyVault(join(dir, 'vault.db'), randomBytes(32), clock);
    await expect(vault.get('subj-1')).rejects.toThrow(/another key-encryption key/);
  });

  it('generates the embedded KEK once, owner-readable, with a warning', () => {
    const warnings: string[] = [];
    const file = join(dir, 'kek.key');
    const a = loadSecretKey({ name: 'LEDGER_KEK', file }, (m) => warnings.push(m));
    const b = loadSecretKey({ name: 'LEDGER_KEK', file }, (m) => warnings.push(m));
    expect(a.equals(b)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(() => loadSecretKey({ name: 'LEDGER_KEK', configured: 'c2hvcnQ=', file }, () => {})).toThrow(/32 bytes/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.startsWith('kek.key'))).toEqual(['kek.key']);
  });

  it('gives every process the same KEK when several start on an empty data directory at once', async () => {
    // 8 processes, in 3 rounds, each on a fresh file; every process spins until the same
    // instant so that their checks and writes overlap, as a fleet starting together does.
    for (let round = 0; round < 3; round++) {
      const file = join(dir, `round-${round}`, 'kek.key');
      const at = Date.now() + 2500;
      const script = `const { loadSecretKey } = require(${JSON.stringify(join(__dirname, 'kek.ts'))});
        while (Date.now() < ${at});
        process.stdout.write(loadSecretKey({ name: 'LEDGER_KEK', file: ${JSON.stringify(file)} }, () => {}).toString('base64'));`;
      const run = () => promisify(execFile)(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: join(__dirname, '../../..') });
      const keys = (await Promise.all(Array.from({ length: 8 }, run))).map((r) => r.stdout);
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toBe(readFileSync(file, 'utf8'));
      expect(readdirSync(dirname(file))).toEqual(['kek.key']); // no draft left behind
    }
  }, 60_000);

  it('pseudonymises with a keyed hash that depends on the secret and the domain', () => {
    const p1 = new Pseudonymiser(randomBytes(32));
    const p2 = new Pseudonymiser(randomBytes(32));
    expect(p1.token('transfer:r1', '+77010000000')).toBe(p1.token('transfer:r1', '+77010000000'));
    expect(p1.token('transfer:r1', '+77010000000')).not.toBe(p2.token('transfer:r1', '+77010000000'));
    expect(p1.token('transfer:r1', 'x')).not.toBe(p1.token('transfer:r2', 'x'));
  });
});
