import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { keyId } from './envelope';

export interface SecretKeySource {
  /** the environment variable it is configured by, for messages */
  readonly name: string;
  /** base64 of 32 bytes, from configuration */
  readonly configured?: string;
  /** where the embedded default keeps a generated key */
  readonly file: string;
}

/**
 * A 32-byte secret: the key-encryption key (LEDGER_KEK) or the pseudonymisation secret.
 * Production passes it in configuration (or, later, a KMS port); the embedded default
 * generates one into the data directory on first start, readable by the owner only, and
 * says so — once the KEK file is lost, every data key is lost too.
 */
export function loadSecretKey(source: SecretKeySource, warn: (message: string) => void): Buffer {
  if (source.configured) {
    const key = Buffer.from(source.configured, 'base64');
    if (key.length !== 32) throw new Error(`${source.name} must be 32 bytes, base64-encoded`);
    return key;
  }
  const existing = readKey(source.file);
  if (existing) return existing;
  mkdirSync(dirname(source.file), { recursive: true });
  // Written in full and flushed under a name of its own, then linked into place: a link
  // never replaces a file, so when processes sharing the data directory start together
  // exactly one generated key becomes the key, and no process reads a half-written file.
  const key = randomBytes(32);
  const draft = `${source.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(draft, 'wx', 0o600);
  try {
    writeSync(fd, key.toString('base64'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, source.file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readKey(source.file)!; // another process generated it first: that key is the key
  } finally {
    unlinkSync(draft);
  }
  syncDirectory(dirname(source.file));
  warn(`generated a key at ${source.file}: set ${source.name} in production and back it up apart from the data`);
  return key;
}

function readKey(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`the key in ${file} is not 32 bytes`);
  return key;
}

/** Makes the new directory entry durable: the key must outlive a power cut as the data does. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The key-encryption keys a vault may open data keys with: the current one, which wraps
 * every new data key, and previous ones still trusted for unwrapping while a rotation
 * (`ledger-cli rotate-kek`) re-wraps their data keys under the current one. Keys are
 * told apart by `keyId`, a public fingerprint stored beside each wrapped data key.
 */
export class KeyRing {
  readonly currentId: string;
  private readonly byIdMap: ReadonlyMap<string, Buffer>;

  constructor(readonly current: Buffer, previous: readonly Buffer[] = []) {
    this.currentId = keyId(current);
    const map = new Map<string, Buffer>([[this.currentId, current]]);
    for (const key of previous) {
      if (key.length !== 32) throw new Error('a previous key-encryption key must be 32 bytes');
      const id = keyId(key);
      if (map.has(id)) throw new Error(`key-encryption key ${id} is listed twice (current and previous keys must differ)`);
      map.set(id, key);
    }
    this.byIdMap = map;
  }

  /** the key with this fingerprint, if the ring holds it */
  byId(id: string): Buffer | undefined {
    return this.byIdMap.get(id);
  }

  /** fingerprints of the previous keys, oldest configuration order kept */
  get previousIds(): string[] {
    return [...this.byIdMap.keys()].filter((id) => id !== this.currentId);
  }
}
