import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { aesGcmOpen, aesGcmSeal } from './envelope';
import type { KeyRing } from './kek';
import { DataKeyDestroyedError, DataKeyUnreadableError, keysIn, UnknownKekError, type DataKeyLookup, type KekInventory, type KeyVault } from './key-vault.port';

interface Row {
  wrapped: Buffer | null;
  iv: Buffer | null;
  tag: Buffer | null;
  kek_id: string;
  destroyed_at: string | null;
}

/**
 * The key vault on SQLite (embedded default), in its own file apart from the events.
 * `secure_delete` overwrites freed pages, and a destroy (or a re-wrap) checkpoints and
 * truncates the WAL, so a destroyed key, or a key's old wrapping, leaves no bytes behind
 * in this file.
 */
export class SqliteKeyVault implements KeyVault {
  private readonly db: Database.Database;

  constructor(filename: string, private readonly keys: KeyRing, private readonly clock: () => Date) {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    // ledger-cli rotate-kek re-wraps keys through a connection of its own while the service
    // runs: each side waits for the other's transaction (better-sqlite3's default, said here)
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS data_keys (
      subject_id   TEXT PRIMARY KEY,
      wrapped      BLOB,
      iv           BLOB,
      tag          BLOB,
      kek_id       TEXT NOT NULL,
      created_at   TEXT NOT NULL,
      destroyed_at TEXT,
      CHECK ((destroyed_at IS NULL) = (wrapped IS NOT NULL))
    )`);
    // live keys by the KEK that wraps them: a rotation's batches and the count of keys
    // still under a previous KEK read only those keys, not the whole vault
    this.db.exec('CREATE INDEX IF NOT EXISTS data_keys_live_by_kek ON data_keys (kek_id, subject_id) WHERE destroyed_at IS NULL');
    // tombstones, counted against the erased subjects of the read models (a vault restored
    // from a backup older than an erasure has fewer)
    this.db.exec('CREATE INDEX IF NOT EXISTS data_keys_destroyed ON data_keys (subject_id) WHERE destroyed_at IS NOT NULL');
  }

  /** the fingerprint of the KEK that wraps new keys */
  get currentKekId(): string {
    return this.keys.currentId;
  }

  private row(subjectId: string): Row | undefined {
    return this.db.prepare<[string], Row>('SELECT wrapped, iv, tag, kek_id, destroyed_at FROM data_keys WHERE subject_id = ?').get(subjectId);
  }

  private unwrap(subjectId: string, r: Pick<Row, 'wrapped' | 'iv' | 'tag' | 'kek_id'>): Buffer {
    const kek = this.keys.byId(r.kek_id);
    if (!kek) throw new UnknownKekError([{ kekId: r.kek_id, keys: 1 }]);
    try {
      return aesGcmOpen(kek, { iv: r.iv!, ct: r.wrapped!, tag: r.tag! }, `data-key|${subjectId}`);
    } catch {
      throw new DataKeyUnreadableError();
    }
  }

  private wrap(subjectId: string, key: Buffer) {
    return aesGcmSeal(this.keys.current, key, `data-key|${subjectId}`);
  }

  async getOrCreate(subjectId: string): Promise<Buffer> {
    const existing = this.row(subjectId);
    if (existing?.destroyed_at) throw new DataKeyDestroyedError();
    if (existing) return this.unwrap(subjectId, existing);
    const key = randomBytes(32);
    const w = this.wrap(subjectId, key);
    // A concurrent creator may win: keep whichever key was stored first.
    this.db
      .prepare('INSERT INTO data_keys (subject_id, wrapped, iv, tag, kek_id, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(subjectId, w.ct, w.iv, w.tag, this.keys.currentId, this.clock().toISOString());
    return this.getOrCreate(subjectId);
  }

  async get(subjectId: string): Promise<DataKeyLookup> {
    const r = this.row(subjectId);
    if (!r) return { status: 'none' };
    if (r.destroyed_at) return { status: 'destroyed', destroyedAt: r.destroyed_at };
    return { status: 'active', key: this.unwrap(subjectId, r) };
  }

  async destroy(subjectId: string, at: Date): Promise<void> {
    await this.destroyMany([{ subjectId, at }]);
  }

  async destroyMany(keys: readonly { readonly subjectId: string; readonly at: Date }[]): Promise<void> {
    if (keys.length === 0) return;
    const tombstone = this.db.prepare(`INSERT INTO data_keys (subject_id, wrapped, iv, tag, kek_id, created_at, destroyed_at) VALUES (?, NULL, NULL, NULL, ?, ?, ?)
      ON CONFLICT (subject_id) DO UPDATE SET wrapped = NULL, iv = NULL, tag = NULL,
        destroyed_at = COALESCE(data_keys.destroyed_at, excluded.destroyed_at)`);
    this.db.transaction(() => {
      for (const k of keys) tombstone.run(k.subjectId, this.keys.currentId, k.at.toISOString(), k.at.toISOString());
    })();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async destroyedCount(): Promise<number> {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM data_keys WHERE destroyed_at IS NOT NULL').get()!.n;
  }

  async notDestroyedAmong(subjectIds: readonly string[]): Promise<string[]> {
    if (subjectIds.length === 0) return [];
    const destroyed = new Set(this.db
      .prepare<string[], { subject_id: string }>(`SELECT subject_id FROM data_keys WHERE destroyed_at IS NOT NULL AND subject_id IN (${subjectIds.map(() => '?').join(', ')})`)
      .all(...subjectIds).map((r) => r.subject_id));
    return subjectIds.filter((id) => !destroyed.has(id));
  }

  async inventory(options: { current?: boolean } = {}): Promise<KekInventory[]> {
    const count = this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM data_keys WHERE destroyed_at IS NULL AND kek_id = ?');
    return this.kekIds()
      .filter((id) => options.current !== false || id !== this.keys.currentId)
      .map((id) => ({ kekId: id, keys: count.get(id)!.n, current: id === this.keys.currentId, known: this.keys.byId(id) !== undefined }));
  }

  /**
   * The KEKs that wrap live keys, one index seek each (a skip scan by hand): counting
   * a million keys under the current KEK at every start would take most of a second.
   */
  private kekIds(): string[] {
    const next = this.db.prepare<[string], { kek_id: string }>('SELECT kek_id FROM data_keys WHERE destroyed_at IS NULL AND kek_id > ? ORDER BY kek_id LIMIT 1');
    const ids: string[] = [];
    for (let row = next.get(''); row; row = next.get(row.kek_id)) ids.push(row.kek_id);
    return ids;
  }

  async assertOpenable(): Promise<KekInventory[]> {
    const previous = await this.inventory({ current: false });
    const unknown = previous.filter((k) => !k.known);
    if (unknown.length > 0) throw new UnknownKekError(unknown);
    return previous;
  }

  async keysUnderPreviousKeks(): Promise<number> {
    return keysIn(await this.inventory({ current: false }));
  }

  async rewrap(options: { batchSize?: number; onBatch?: (rewrapped: number) => void } = {}): Promise<{ rewrapped: number }> {
    const previous = await this.assertOpenable();
    const batchSize = options.batchSize ?? 500;
    const pick = this.db.prepare<[string, number], Row & { subject_id: string }>(
      'SELECT subject_id, wrapped, iv, tag, kek_id, destroyed_at FROM data_keys WHERE destroyed_at IS NULL AND kek_id = ? ORDER BY subject_id LIMIT ?',
    );
    const update = this.db.prepare('UPDATE data_keys SET wrapped = ?, iv = ?, tag = ?, kek_id = ? WHERE subject_id = ?');
    // Each batch is one transaction: unwrapped, re-wrapped and written together, so a
    // rotation stopped at any point leaves every key wrapped by exactly one of the ring's
    // keys, and running it again carries on where it stopped.
    const batch = this.db.transaction((previousId: string) => {
      const rows = pick.all(previousId, batchSize);
      for (const r of rows) {
        const w = this.wrap(r.subject_id, this.unwrap(r.subject_id, r));
        update.run(w.ct, w.iv, w.tag, this.keys.currentId, r.subject_id);
      }
      return rows.length;
    });
    let rewrapped = 0;
    for (const { kekId } of previous) {
      for (let n = batch.immediate(kekId); n > 0; n = batch.immediate(kekId)) {
        rewrapped += n;
        options.onBatch?.(rewrapped);
      }
    }
    // no page of the WAL may keep a key wrapped by a retired KEK
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { rewrapped };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
