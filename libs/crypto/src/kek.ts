import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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
  if (existsSync(source.file)) {
    const key = Buffer.from(readFileSync(source.file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`the key in ${source.file} is not 32 bytes`);
    return key;
  }
  mkdirSync(dirname(source.file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(source.file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  chmodSync(source.file, 0o600);
  warn(`generated a key at ${source.file}: set ${source.name} in production and back it up apart from the data`);
  return key;
}
