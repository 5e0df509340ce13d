import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, Matches, ValidateBy, type ValidationOptions } from 'class-validator';
import { isLocalDate, isOpaqueId, OPAQUE_ID_PATTERN } from '@ledger/domain';

/**
 * Each validator here also writes what it enforces into the OpenAPI schema of its property
 * (a `pattern` or a `format`, merged into the property's own @ApiProperty), so the served
 * document tells clients the rule, and the fuzz test (apps/ledger/test/fuzz.e2e-spec.ts)
 * builds valid bodies from the document alone.
 */
const enforcing = (rule: PropertyDecorator, schema: { pattern?: RegExp; format?: 'date' | 'date-time' }) =>
  applyDecorators(rule, ApiProperty(schema));

/** A calendar date `YYYY-MM-DD` that exists. */
export const IsLocalDate = (options?: ValidationOptions) => enforcing(
  ValidateBy({ name: 'isLocalDate', validator: { validate: (v) => isLocalDate(v), defaultMessage: () => '$property must be a date YYYY-MM-DD' } }, options),
  { format: 'date' },
);

/** An instant in ISO 8601 with a `T` (`2026-11-25T09:00:00Z`). */
export const IsInstant = () => enforcing(IsISO8601({ strict: true, strictSeparator: true }), { format: 'date-time' });

/**
 * An opaque id (ARCHITECTURE §3): never an email, a phone or a document number. The
 * pattern is documented; the rule against long runs of digits (phone and IIN numbers)
 * is enforced on top of it.
 */
export const IsOpaqueId = (options?: ValidationOptions) => enforcing(
  ValidateBy({ name: 'isOpaqueId', validator: { validate: (v) => isOpaqueId(v), defaultMessage: () => '$property must be an opaque id' } }, options),
  { pattern: OPAQUE_ID_PATTERN },
);

/** A string matching `pattern`, documented as such. */
export const Matching = (pattern: RegExp, message: string) => enforcing(Matches(pattern, { message }), { pattern });

/**
 * Free-text fields that are not personal data are kept to slugs and references, so that
 * nobody can write a name or an address into an event that can never be erased.
 */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const IsSlug = () => Matching(SLUG_PATTERN, '$property must be a lower-case slug');
/**
 * A downstream system that confirms an erasure: an internal system (a slug from
 * LEDGER_ERASURE_SYSTEMS) or a recipient (an opaque id, `Acme_EU`): both are in an
 * erasure's `awaiting`, so both must be able to acknowledge.
 */
export const isErasureSystem = (v: unknown): v is string => (typeof v === 'string' && SLUG_PATTERN.test(v)) || isOpaqueId(v);
export const IsErasureSystem = () => enforcing(
  ValidateBy({ name: 'isErasureSystem', validator: { validate: isErasureSystem, defaultMessage: () => '$property must be a system slug or a recipient id' } }),
  { pattern: OPAQUE_ID_PATTERN },
);
/** Ids the ledger issues itself: lower-case UUIDs. */
export const LEDGER_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Case, contract and agreement references as people write them (`case 2-1234/2026`). */
export const REFERENCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,127}$/;
export const IsReference = () => Matching(REFERENCE_PATTERN, '$property must be a reference');
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
export const IsVersion = () => Matching(VERSION_PATTERN, '$property must be a version label');
