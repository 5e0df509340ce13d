import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { keyId } from './envelope';
import { KeyRing, loadSecretKey } from './kek';
import { Pseudonymiser } from './pseudonymiser';
import { PersonalDataSealer } from './sealer';
import { SqliteKeyVault } from './sqlite-key-vault';
import { DataKeyDestroyedError, DataKeyUnreadableError, UnknownKekError } from './key-vault.port';

const clock = () => new Date('2026-11-25T10:00:00Z');

describe('crypto', () => {
  let dir: string;
  let vault: SqliteKeyVault;
  let sealer: PersonalDataSealer;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-crypto-'));
    vault = new SqliteKeyVault(join(dir, 'vault.db'), new KeyRing(randomBytes(32)), clock);
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
    const unreadable = { status: 'unreadable', reason: 'does-not-open' };
    await expect(sealer.open('subj-1', 'phone-number', sealed)).resolves.toEqual(unreadable); // AAD binds category
    await sealer.seal('subj-2', 'email-address', 'x');
    await expect(sealer.open('subj-2', 'email-address', sealed)).resolves.toEqual(unreadable); // and subject
    await expect(sealer.open('subj-3', 'email-address', sealed)).resolves.toEqual({ status: 'unreadable', reason: 'key-missing' });
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
    vault = new SqliteKeyVault(join(dir, 'vault.db'), new KeyRing(randomBytes(32)), clock);
  });

  it('counts tombstones, and tells which subjects have none (a live key or no row at all)', async () => {
    await vault.getOrCreate('live');
    await vault.getOrCreate('gone');
    await vault.destroy('gone', clock());
    await vault.destroy('never-had-one', clock());
    await expect(vault.destroyedCount()).resolves.toBe(2);
    await expect(vault.notDestroyedAmong(['gone', 'live', 'unknown', 'never-had-one'])).resolves.toEqual(['live', 'unknown']);
    await expect(vault.notDestroyedAmong([])).resolves.toEqual([]);
  });

  it('answers a value whose wrapped key is damaged as unreadable, not as an error', async () => {
    const sealed = await sealer.seal('subj-1', 'email-address', 'canary-damaged@example.kz');
    const raw = new Database(join(dir, 'vault.db'));
    raw.prepare("UPDATE data_keys SET tag = zeroblob(16) WHERE subject_id = 'subj-1'").run();
    raw.close();
    await expect(vault.get('subj-1')).rejects.toBeInstanceOf(DataKeyUnreadableError);
    await expect(sealer.open('subj-1', 'email-address', sealed)).resolves.toEqual({ status: 'unreadable', reason: 'does-not-open' });
  });

  it('destroys many keys at once, keeping the first date of a key destroyed before', async () => {
    await vault.getOrCreate('a');
    await vault.getOrCreate('b');
    await vault.destroy('b', new Date('2026-01-01T00:00:00Z'));
    await vault.destroyMany([
      { subjectId: 'a', at: clock() }, { subjectId: 'b', at: clock() }, { subjectId: 'no-key', at: clock() },
    ]);
    await expect(vault.get('a')).resolves.toEqual({ status: 'destroyed', destroyedAt: clock().toISOString() });
    await expect(vault.get('b')).resolves.toEqual({ status: 'destroyed', destroyedAt: '2026-01-01T00:00:00.000Z' });
    await expect(vault.get('no-key')).resolves.toEqual({ status: 'destroyed', destroyedAt: clock().toISOString() });
    await expect(vault.destroyedCount()).resolves.toBe(3);
    await vault.destroyMany([]);
  });

  it('refuses a vault opened with another key-encryption key', async () => {
    await vault.getOrCreate('subj-1');
    await vault.close();
    vault = new SqliteKeyVault(join(dir, 'vault.db'), new KeyRing(randomBytes(32)), clock);
    await expect(vault.get('subj-1')).rejects.toThrow(UnknownKekError);
    await expect(vault.assertOpenable()).rejects.toThrow(UnknownKekError);
  });

  describe('rotating the key-encryption key', () => {
    const A = randomBytes(32);
    const B = randomBytes(32);
    const subjects = ['s1', 's2', 's3', 's4', 's5'];
    const file = () => join(dir, 'rot.db');
    const rows = () => {
      const db = new Database(file(), { readonly: true });
      try {
        return db.prepare('SELECT subject_id, wrapped, tag, kek_id, destroyed_at FROM data_keys ORDER BY subject_id').all() as
          { subject_id: string; wrapped: Buffer | null; tag: Buffer | null; kek_id: string; destroyed_at: string | null }[];
      } finally {
        db.close();
      }
    };
    /** five subjects' keys and sealed values under A, one more subject shredded */
    const underA = async () => {
      const v = new SqliteKeyVault(file(), new KeyRing(A), clock);
      const s = new PersonalDataSealer(v);
      const sealed = await Promise.all(subjects.map((id) => s.seal(id, 'email-address', `canary-${id}@example.kz`)));
      const keys = await Promise.all(subjects.map((id) => v.getOrCreate(id)));
      await v.getOrCreate('gone');
      await v.destroy('gone', clock());
      await v.close();
      return { sealed, keys };
    };

    it('opens keys wrapped by a previous KEK, re-wraps every live one under the current KEK, and leaves tombstones alone', async () => {
      const { sealed, keys } = await underA();
      const oldWrappings = rows().filter((r) => r.wrapped).map((r) => r.wrapped!);
      const service = new SqliteKeyVault(file(), new KeyRing(B, [A]), clock); // the running service, during the rotation
      await service.get('s1');
      const rotating = new SqliteKeyVault(file(), new KeyRing(B, [A]), clock);
      await expect(rotating.inventory()).resolves.toEqual([{ kekId: keyId(A), keys: 5, current: false, known: true }]);
      await expect(rotating.keysUnderPreviousKeks()).resolves.toBe(5);
      const progress: number[] = [];
      await expect(rotating.rewrap({ batchSize: 2, onBatch: (n) => progress.push(n) })).resolves.toEqual({ rewrapped: 5 });
      expect(progress).toEqual([2, 4, 5]);
      await expect(rotating.rewrap()).resolves.toEqual({ rewrapped: 0 }); // nothing left: a second run is harmless
      await expect(rotating.keysUnderPreviousKeks()).resolves.toBe(0);
      await expect(rotating.inventory()).resolves.toEqual([{ kekId: keyId(B), keys: 5, current: true, known: true }]);
      await rotating.close();
      // no file keeps a data key as A wrapped it, even while the service's connection keeps the WAL open
      for (const f of readdirSync(dir)) {
        const bytes = readFileSync(join(dir, f));
        for (const w of oldWrappings) expect(bytes.includes(w)).toBe(false);
      }
      await service.close();

      expect(rows().map((r) => [r.subject_id, r.kek_id === keyId(B), r.destroyed_at !== null])).toEqual([
        ['gone', false, true], ...subjects.map((id) => [id, true, false]),
      ]);
      // the old key is no longer needed: the same data keys open every value sealed before
      const after = new SqliteKeyVault(file(), new KeyRing(B), clock);
      await after.assertOpenable();
      for (const [i, id] of subjects.entries()) {
        await expect(after.get(id)).resolves.toEqual({ status: 'active', key: keys[i] });
        await expect(new PersonalDataSealer(after).open(id, 'email-address', sealed[i]!)).resolves.toEqual({ status: 'plaintext', value: `canary-${id}@example.kz` });
      }
      await expect(after.get('gone')).resolves.toEqual({ status: 'destroyed', destroyedAt: clock().toISOString() });
      await after.close();
    });

    it('commits each batch whole: a rotation stopped by a key that does not open carries on when run again', async () => {
      await underA();
      const raw = new Database(file());
      const tag = (raw.prepare("SELECT tag FROM data_keys WHERE subject_id = 's4'").get() as { tag: Buffer }).tag;
      raw.prepare("UPDATE data_keys SET tag = ? WHERE subject_id = 's4'").run(Buffer.alloc(16));
      const rotating = new SqliteKeyVault(file(), new KeyRing(B, [A]), clock);
      // batches (s1, s2), (s3, s4): the second fails on s4, and s3 stays as it was
      await expect(rotating.rewrap({ batchSize: 2 })).rejects.toThrow();
      expect(rows().filter((r) => r.wrapped).map((r) => [r.subject_id, r.kek_id === keyId(B)])).toEqual([
        ['s1', true], ['s2', true], ['s3', false], ['s4', false], ['s5', false],
      ]);
      await expect(rotating.keysUnderPreviousKeks()).resolves.toBe(3);
      raw.prepare("UPDATE data_keys SET tag = ? WHERE subject_id = 's4'").run(tag);
      raw.close();
      await expect(rotating.rewrap({ batchSize: 2 })).resolves.toEqual({ rewrapped: 3 });
      await expect(rotating.inventory()).resolves.toEqual([{ kekId: keyId(B), keys: 5, current: true, known: true }]);
      await rotating.close();
    });

    it('names the KEK it was not given by fingerprint only, and re-wraps nothing then', async () => {
      await underA();
      const wrong = new SqliteKeyVault(file(), new KeyRing(B), clock);
      const error = await wrong.assertOpenable().then(() => null, (e: unknown) => e as UnknownKekError);
      expect(error).toBeInstanceOf(UnknownKekError);
      expect(error!.unknown).toEqual([{ kekId: keyId(A), keys: 5, current: false, known: false }]);
      expect(error!.message).toBe(`5 data keys are wrapped by key-encryption key ${keyId(A)}, which this vault was not given`);
      expect(error!.message).not.toContain(A.toString('base64'));
      await expect(wrong.rewrap()).rejects.toThrow(UnknownKekError);
      await wrong.close();
      expect(rows().filter((r) => r.wrapped).every((r) => r.kek_id === keyId(A))).toBe(true);
    });

    it('refuses a ring that lists one key twice', () => {
      expect(() => new KeyRing(A, [B, A])).toThrow(/listed twice/);
      expect(() => new KeyRing(A, [Buffer.alloc(16)])).toThrow(/32 bytes/);
      expect(new KeyRing(A, [B]).previousIds).toEqual([keyId(B)]);
    });
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
