/**
 * The per-subject key vault (ARCHITECTURE §4). Data keys live here, wrapped by the
 * key-encryption key, apart from the events. Destroying a subject's key is the erasure:
 * every copy of that subject's ciphertext, wherever it is, becomes unreadable at once.
 */
export type DataKeyLookup =
  | { readonly status: 'active'; readonly key: Buffer }
  | { readonly status: 'destroyed'; readonly destroyedAt: string }
  | { readonly status: 'none' };

export interface KeyVault {
  /** the subject's data key, created on first use; refuses once the key is destroyed */
  getOrCreate(subjectId: string): Promise<Buffer>;
  get(subjectId: string): Promise<DataKeyLookup>;
  /** destroys the key and keeps a tombstone (subject, destroyed at) */
  destroy(subjectId: string, at: Date): Promise<void>;
  close(): Promise<void>;
}

export const KEY_VAULT = Symbol('KeyVault');

export class DataKeyDestroyedError extends Error {
  constructor() {
    super("the subject's data key has been destroyed");
    this.name = 'DataKeyDestroyedError';
  }
}
