/**
 * The policy's vocabulary, as closed lists. Every list cites the clause it comes from;
 * the HTTP layer validates against these same arrays, so adding a value is one edit.
 */

/** §2.3 — purposes of processing; each consent is given per purpose. */
export const PURPOSES = [
  'service-provision', // §2.3(1) providing the service under the user agreement
  'partner-contracts', // §2.3(2) contracts with affiliates, partners, third parties
  'legal-compliance', // §2.3(3) Kazakhstan law, internal procedures, contracts
  'product-promotion', // §2.3(4) offering / promoting the Platform's products
  'marketing-events', // §2.3(5) promotions, contests, publishing winners
  'questions-and-answers', // §2.3(6) questions and answers, direct contact
  'technical-support', // §2.3(7) transfer to technical-support organisations
  'notifications-and-research', // §2.3(8) notifications, quality, research, targeting
] as const;
export type Purpose = (typeof PURPOSES)[number];

/** §2.4 — categories of data collected. Values of these are personal data (§4.1). */
export const CATEGORIES = [
  'ip-address',
  'geolocation',
  'search-history',
  'cookie-dates',
  'browser-and-os',
  'first-name',
  'last-name',
  'patronymic',
  'identity-document',
  'social-network-name',
  'social-network-id', // Apple ID, VK, Facebook, Google and others
  'phone-number',
  'email-address',
  'face-image',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * §2.9 — processing without consent happens where the law provides. `consent` is the
 * only basis the subject can withdraw (§2.7); the others survive a withdrawal.
 */
export const LEGAL_BASES = ['consent', 'contract', 'legal-obligation'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** §2.1 — the channel a consent was given through. */
export const CONSENT_CHANNELS = ['web', 'mobile-app', 'written-application', 'api'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** §2.5 — where a personal-data value came from. */
export const DATA_SOURCES = ['subject', 'public-source', 'third-party'] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

/** §2.10 — how the subject retracts a withdrawal: signing in, or an application. */
export const RETRACTION_CHANNELS = ['sign-in', 'application'] as const;
export type RetractionChannel = (typeof RETRACTION_CHANNELS)[number];

/** §2.5 — why processing is blocked. */
export const RESTRICTION_REASONS = ['unlawful-processing', 'accuracy-contested', 'subject-request'] as const;
export type RestrictionReason = (typeof RESTRICTION_REASONS)[number];

/** §3.1 — data leaves either identifiable or pseudonymised (keyed hashing). */
export const TRANSFER_FORMS = ['identifiable', 'pseudonymised'] as const;
export type TransferForm = (typeof TRANSFER_FORMS)[number];

/** §2.2, §3.1 — who may receive data. */
export const RECIPIENT_KINDS = ['affiliate', 'partner', 'processor'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

/** Data residency (§2.6, Law 94-V Art. 12(2)): transfers elsewhere are cross-border (§3.2). */
export const HOME_COUNTRY = 'KZ';
