import type { SealedValue } from '@ledger/domain';
import { aesGcmOpen, aesGcmSeal } from './envelope';
import { DataKeyUnreadableError, type KeyVault } from './key-vault.port';

/** The additional authenticated data: a ciphertext opens only for its subject and category. */
const aad = (subjectId: string, category: string) => `privacy-ledger/v1|subject:${subjectId}|category:${category}`;

export type OpenedValue =
  | { readonly status: 'plaintext'; readonly value: string }
  | { readonly status: 'erased'; readonly erasedAt: string }
  | { readonly status: 'unreadable'; readonly reason: UnreadableReason };

/**
 * Why a value that is not erased cannot be opened — never in normal operation; after a
 * key vault restored from a backup older than the value's key (`key-missing`; and once a
 * new key is issued, the older values are `does-not-open`), or a damaged vault row or
 * ciphertext (`does-not-open`). The value is lost: no key anywhere opens it.
 */
export const UNREADABLE_REASONS = ['key-missing', 'does-not-open'] as const;
export type UnreadableReason = (typeof UNREADABLE_REASONS)[number];

/**
 * Seals personal-data values under the subject's own data key (AES-256-GCM) before any
 * command is decided, and opens them for callers allowed to see them.
 */
export class PersonalDataSealer {
  constructor(private readonly vault: KeyVault) {}

  async seal(subjectId: string, category: string, plaintext: string): Promise<SealedValue> {
    const key = await this.vault.getOrCreate(subjectId);
    const { iv, ct, tag } = aesGcmSeal(key, Buffer.from(plaintext, 'utf8'), aad(subjectId, category));
    return { alg: 'A256GCM', v: 1, iv: iv.toString('base64'), ct: ct.toString('base64'), tag: tag.toString('base64') };
  }

  /** When the subject's key was destroyed, or null if it was not. */
  async shreddedAt(subjectId: string): Promise<string | null> {
    const found = await this.vault.get(subjectId);
    return found.status === 'destroyed' ? found.destroyedAt : null;
  }

  async open(subjectId: string, category: string, sealed: SealedValue): Promise<OpenedValue> {
    let found;
    try {
      found = await this.vault.get(subjectId);
    } catch (error) {
      if (error instanceof DataKeyUnreadableError) return { status: 'unreadable', reason: 'does-not-open' };
      throw error;
    }
    if (found.status === 'destroyed') return { status: 'erased', erasedAt: found.destroyedAt };
    if (found.status === 'none') return { status: 'unreadable', reason: 'key-missing' };
    let plain: Buffer;
    try {
      plain = aesGcmOpen(
        found.key,
        { iv: Buffer.from(sealed.iv, 'base64'), ct: Buffer.from(sealed.ct, 'base64'), tag: Buffer.from(sealed.tag, 'base64') },
        aad(subjectId, category),
      );
    } catch {
      return { status: 'unreadable', reason: 'does-not-open' };
    }
    return { status: 'plaintext', value: plain.toString('utf8') };
  }
}
