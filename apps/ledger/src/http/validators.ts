import { Matches, ValidateBy, type ValidationOptions } from 'class-validator';
import { isLocalDate, isOpaqueId } from '@ledger/domain';

/** A calendar date `YYYY-MM-DD` that exists. */
export const IsLocalDate = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isLocalDate', validator: { validate: (v) => isLocalDate(v), defaultMessage: () => '$property must be a date YYYY-MM-DD' } }, options);

/** An opaque id (ARCHITECTURE §3): never an email, a phone or a document number. */
export const IsOpaqueId = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isOpaqueId', validator: { validate: (v) => isOpaqueId(v), defaultMessage: () => '$property must be an opaque id' } }, options);

/**
 * Free-text fields that are not personal data are kept to slugs and references, so that
 * nobody can write a name or an address into an event that can never be erased.
 */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const IsSlug = () => Matches(SLUG_PATTERN, { message: '$property must be a lower-case slug' });
/** Ids the ledger issues itself: lower-case UUIDs. */
export const LEDGER_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const IsReference = () => Matches(/^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,127}$/, { message: '$property must be a reference' });
export const IsVersion = () => Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, { message: '$property must be a version label' });
