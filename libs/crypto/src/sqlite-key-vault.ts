import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { aesGcmOpen, aesGcmSeal, keyId } from './envelope';
import { DataKeyDestroyedError, type DataKeyLookup, type KeyVault } from './key-vault.port';

interface Row {
  wrapped: Buffer | null;
  iv: Buffer | null;
  tag: Buffer | null;
  kek_id: string;
  destroyed_at: string | null;
}

/**
 * The key vault on SQLite (embedded default), in its own file apart from the events.
 * `secure_delete` overwrites freed pages, and a destroy checkpoints and truncates the
 * WAL, so a destroyed key leaves no bytes behind in this file.
 */
export class SqliteKeyVault implements KeyVault {
  private readonly db: Database.Database;
  private readonly kekId: string;

  constructor(filename: string, private readonly kek: Buffer, private readonly clock: () => Date) {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
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
    this.kekId = keyId(kek);
  }

  private row(subjectId: string): Row | undefined {
    return this.db.prepare<[string], Row>('SELECT wrapped, iv, tag, kek_id, destroyed_at FROM data_keys WHERE subject_id = ?').get(subjectId);
  }

  private unwrap(subjectId: string, r: Row): Buffer {
    if (r.kek_id !== this.kekId) throw new Error('data key was wrapped by another key-encryption key');
    return aesGcmOpen(this.kek, { iv: r.iv!, ct: r.wrapped!, tag: r.tag! }, `data-key|${subjectId}`);
  }

  async getOrCreate(subjectId: string): Promise<Buffer> {
    const existing = this.row(subjectId);
    if (existing?.destroyed_at) throw new DataKeyDestroyedError();
    if (existing) return this.unwrap(subjectId, existing);
    const key = randomBytes(32);
    const w = aesGcmSeal(this.kek, key, `data-key|${subjectId}`);
    // A concurrent creator may win: keep whichever key was stored first.
    this.db
      .prepare('INSERT INTO data_keys (subject_id, wrapped, iv, tag, kek_id, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(subjectId, w.ct, w.iv, w.tag, this.kekId, this.clock().toISOString());
    return this.getOrCreate(subjectId);
  }

  async get(subjectId: string): Promise<DataKeyLookup> {
    const r = this.row(subjectId);
    if (!r) return { status: 'none' };
    if (r.destroyed_at) return { status: 'destroyed', destroyedAt: r.destroyed_at };
    return { status: 'active', key: this.unwrap(subjectId, r) };
  }

  async destroy(subjectId: string, at: Date): Promise<void> {
    this.db
      .prepare(`INSERT INTO data_keys (subject_id, wrapped, iv, tag, kek_id, created_at, destroyed_at) VALUES (?, NULL, NULL, NULL, ?, ?, ?)
        ON CONFLICT (subject_id) DO UPDATE SET wrapped = NULL, iv = NULL, tag = NULL,
          destroyed_at = COALESCE(data_keys.destroyed_at, excluded.destroyed_at)`)
      .run(subjectId, this.kekId, at.toISOString(), at.toISOString());
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
