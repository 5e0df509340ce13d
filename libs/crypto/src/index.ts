/**
 * @ledger/crypto — envelope encryption of personal data under per-subject data keys, the
 * key vault (crypto-shredding), the key-encryption key, keyed pseudonymisation.
 */
export * from './key-vault.port';
export * from './envelope';
export * from './kek';
export * from './sqlite-key-vault';
export * from './sealer';
export * from './pseudonymiser';
