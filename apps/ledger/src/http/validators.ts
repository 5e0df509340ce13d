import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Matches, ValidateBy, type ValidationOptions } from 'class-validator';
import { isLocalDate, isOpaqueId, kzStartOf, OPAQUE_ID_PATTERN } from '@ledger/domain';

/**
 * Each validator here also writes what it enforces into the OpenAPI schema of its property
 * (a `pattern` or a `format`, merged into the property's own @ApiProperty), so the served
 * document tells clients the rule, and the fuzz test (apps/ledger/test/fuzz.e2e-spec.ts)
 * builds valid bodies from the document alone.
 */
const enforcing = (rule: PropertyDecorator, schema: { pattern?: RegExp; format?: 'date' | 'date-time' }) =>
  applyDecorators(rule, ApiProperty(schema));

/** A whole number as a query string may write it: decimal digits only, at most 15 (a safe integer). */
export const DECIMAL_INTEGER_PATTERN = /^\d{1,15}$/;

/**
 * Reads a query parameter as a whole number only when it is written in decimal digits;
 * anything else stays a string, which `@IsInt()` then refuses (400). `@Type(() => Number)`
 * took `0x10` for 16, `1e2` for 100, `0b11` for 3, ` 7` for 7 and an empty value for 0.
 */
export const ToDecimalInteger = () => applyDecorators(
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL_INTEGER_PATTERN.test(value) ? Number(value) : value)),
  ApiProperty({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
);

/** A calendar date `YYYY-MM-DD` that exists. */
export const IsLocalDate = (options?: ValidationOptions) => enforcing(
  ValidateBy({ name: 'isLocalDate', validator: { validate: (v) => isLocalDate(v), defaultMessage: () => '$property must be a date YYYY-MM-DD' } }, options),
  { format: 'date' },
);

/**
 * An instant as RFC 3339 writes it: a date that exists, `T`, hours 00–23 and minutes,
 * optional seconds and fraction, and an offset (`Z` or `±hh:mm`). The offset is required:
 * without one a time would be read in whatever zone the server runs in. ISO 8601's other
 * forms (week and ordinal dates, a year or a month alone) are not instants.
 */
export const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
export const isInstant = (v: unknown): v is string => typeof v === 'string' && INSTANT_PATTERN.test(v) && isLocalDate(v.slice(0, 10));

export const IsInstant = () => enforcing(
  ValidateBy({ name: 'isInstant', validator: { validate: isInstant, defaultMessage: () => '$property must be an instant with its offset (RFC 3339), e.g. 2026-11-25T09:00:00Z' } }),
  { format: 'date-time', pattern: INSTANT_PATTERN },
);

/**
 * A bound of a time range: an instant (above), or a date, which stands for the start of
 * that day in Kazakhstan (UTC+5): `from=2026-11-25` is 2026-11-24T19:00:00.000Z.
 */
export const isInstantOrDate = (v: unknown): v is string => isInstant(v) || isLocalDate(v);
export const instantOf = (v: string): string => (isLocalDate(v) ? kzStartOf(v) : new Date(v)).toISOString();
const INSTANT_OR_DATE_PATTERN = new RegExp(`^\\d{4}-\\d{2}-\\d{2}$|${INSTANT_PATTERN.source}`);

export const IsInstantOrDate = () => enforcing(
  ValidateBy({ name: 'isInstantOrDate', validator: { validate: isInstantOrDate, defaultMessage: () => '$property must be an instant with its offset (RFC 3339) or a date YYYY-MM-DD' } }),
  { pattern: INSTANT_OR_DATE_PATTERN },
);

/** The upper bound of a range whose lower bound is the property `from`: strictly after it. */
export const IsAfterFrom = () => ValidateBy({
  name: 'isAfterFrom',
  validator: {
    validate: (to, args) => {
      const from = (args?.object as { from?: unknown }).from;
      return !isInstantOrDate(from) || !isInstantOrDate(to) || instantOf(from) < instantOf(to);
    },
    defaultMessage: () => '$property must come after from',
  },
});

/**
 * An opaque id (ARCHITECTURE §3): never an email, a phone or a document number. The
 * pattern is documented; the rule against long runs of digits (phone and IIN numbers)
 * is enforced on top of it.
 */
export const IsOpaqueId = (options?: ValidationOptions) => enforcing(
  ValidateBy({ name: 'isOpaqueId', validator: { validate: (v) => isOpaqueId(v), defaultMessage: () => '$property must be an opaque id' } }, options),
  { pattern: OPAQUE_ID_PATTERN },
);

/**
 * Well-formed Unicode: a lone surrogate (`"\ud800"` in JSON) cannot be written as UTF-8;
 * sealed or stored, it would come back as U+FFFD, not as what was sent. (ES2024's
 * `String.prototype.isWellFormed`, in every Node the ledger runs on; the project's
 * TypeScript lib is older.)
 */
const isWellFormedText = (v: unknown): v is string => typeof v === 'string' && (v as string & { isWellFormed(): boolean }).isWellFormed();
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Free text that is well-formed Unicode (a personal-data value: sealed as sent). */
export const IsWellFormedText = () => ValidateBy({
  name: 'isWellFormed',
  validator: { validate: isWellFormedText, defaultMessage: () => '$property must be well-formed Unicode' },
});

/**
 * Plain text: well-formed, and no control character (U+0000–U+001F, U+007F–U+009F). A
 * recipient's name is shown, exported and projected as it is; PostgreSQL's text cannot hold
 * NUL, so a name with one stopped the read-model projector on that event for good.
 */
export const IsPlainText = () => ValidateBy({
  name: 'isPlainText',
  validator: { validate: (v) => isWellFormedText(v) && !CONTROL_CHARACTER.test(v), defaultMessage: () => '$property must be plain text, without control characters' },
});

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
