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
  /** `destroy` for many subjects at once: one transaction, one WAL truncate */
  destroyMany(keys: readonly { readonly subjectId: string; readonly at: Date }[]): Promise<void>;
  /** live data keys per key-encryption key that wraps them; `current: false` leaves the current KEK out (cheap) */
  inventory(options?: { current?: boolean }): Promise<KekInventory[]>;
  /** tombstones: subjects whose key was destroyed */
  destroyedCount(): Promise<number>;
  /** those of `subjectIds` the vault holds no tombstone for (a live key, or no row at all) */
  notDestroyedAmong(subjectIds: readonly string[]): Promise<string[]>;
  /** live data keys wrapped by a KEK other than the current one: what a rotation has left to do */
  keysUnderPreviousKeks(): Promise<number>;
  /**
   * Throws UnknownKekError when a live data key is wrapped by a KEK the vault was not
   * given; else answers the inventory of the previous KEKs (`inventory({ current: false })`).
   */
  assertOpenable(): Promise<KekInventory[]>;
  /**
   * Re-wraps every live data key under the current KEK, in batches of one transaction
   * each; the data keys themselves, and so every sealed value, stay as they are.
   */
  rewrap(options?: { batchSize?: number; onBatch?: (rewrapped: number) => void }): Promise<{ rewrapped: number }>;
  close(): Promise<void>;
}

export interface KekInventory {
  /** the KEK's public fingerprint (`keyId`), never the key */
  readonly kekId: string;
  /** live (not destroyed) data keys it wraps */
  readonly keys: number;
  readonly current: boolean;
  /** whether the vault was given this KEK, as current or previous */
  readonly known: boolean;
}

/** the data keys an inventory counts */
export const keysIn = (inventory: readonly Pick<KekInventory, 'keys'>[]) => inventory.reduce((n, k) => n + k.keys, 0);

export const KEY_VAULT = Symbol('KeyVault');

export class DataKeyDestroyedError extends Error {
  constructor() {
    super("the subject's data key has been destroyed");
    this.name = 'DataKeyDestroyedError';
  }
}

/** Data keys are wrapped by a key-encryption key the vault was not given. */
export class UnknownKekError extends Error {
  constructor(readonly unknown: readonly Pick<KekInventory, 'kekId' | 'keys'>[]) {
    super(`${unknown.map((k) => `${k.keys} data key${k.keys === 1 ? ' is' : 's are'} wrapped by key-encryption key ${k.kekId}`).join('; ')}, which this vault was not given`);
    this.name = 'UnknownKekError';
  }
}

/** A wrapped data key that the KEK named beside it does not open: the vault row is damaged. */
export class DataKeyUnreadableError extends Error {
  constructor() {
    super('a data key in the vault does not open with the key-encryption key that wrapped it');
    this.name = 'DataKeyUnreadableError';
  }
}
