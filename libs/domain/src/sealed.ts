/**
 * A personal-data value as the domain sees it: ciphertext only (ARCHITECTURE §4). The
 * domain never handles plaintext; the crypto lib seals before a command is decided.
 */
export interface SealedValue {
  readonly alg: 'A256GCM';
  /** version of the sealing format */
  readonly v: 1;
  readonly iv: string; // base64
  readonly ct: string; // base64, ciphertext
  readonly tag: string; // base64, GCM tag
}

export const isSealedValue = (v: unknown): v is SealedValue =>
  typeof v === 'object' && v !== null && (v as SealedValue).alg === 'A256GCM' && typeof (v as SealedValue).ct === 'string';
