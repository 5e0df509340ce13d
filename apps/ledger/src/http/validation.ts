import { Injectable, ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationError } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { isOpaqueId, OPAQUE_ID_PATTERN } from '@ledger/domain';
import { ProblemException } from './problem';
import { LEDGER_ID_PATTERN, REFERENCE_PATTERN, VERSION_PATTERN } from './validators';

/**
 * How a key the schema does not declare is named in a problem: as sent when it reads like
 * a field of this API (lower camelCase letters: a typo, `isAdmin`, `toString`), else
 * `(unknown field)`. A key is input too, and a problem never echoes input that could be
 * personal data: `{"alice@example.kz": …}` or a phone number as a key (HTTP 1.34.0).
 */
export const unknownFieldName = (key: string) => (/^[a-z][A-Za-z]{0,39}$/.test(key) ? key : '(unknown field)');

/** Field paths and the rules they broke, never the values (they may be personal data). */
function describe(errors: ValidationError[], parent = ''): { field: string; rules: string[] }[] {
  return errors.flatMap((e) => {
    const property = e.constraints && 'whitelistValidation' in e.constraints ? unknownFieldName(e.property) : e.property;
    const field = parent ? `${parent}.${property}` : property;
    const own = e.constraints ? [{ field, rules: Object.keys(e.constraints) }] : [];
    return [...own, ...describe(e.children ?? [], field)];
  });
}

/**
 * The keys of a body or query that name a member of the DTO's prototype chain —
 * `constructor`, `toString`, `hasOwnProperty`, `valueOf`… — or `__proto__`.
 * class-transformer skips such keys when it builds the DTO (it will not overwrite a
 * method), so class-validator's whitelist never saw them: `{"toString": "x"}` beside a
 * valid grant was accepted (201) where any other unknown field is 400 (HTTP 1.34.0).
 */
function reservedKeys(value: unknown, metatype: unknown): string[] {
  if (typeof metatype !== 'function' || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const prototype = (metatype as { prototype?: object }).prototype;
  if (!prototype) return [];
  return Object.keys(value).filter((key) => key === '__proto__' || key in prototype);
}

/**
 * Every rule here is synchronous, so validation runs with `validateSync`: the async
 * path costs a promise per constraint, which measured as most of the request time.
 */
class SyncValidationPipe extends ValidationPipe {
  protected override validate(object: object, options?: ValidatorOptions): ValidationError[] {
    return validateSync(object, options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const reserved = metadata.type === 'body' || metadata.type === 'query' ? reservedKeys(value, metadata.metatype) : [];
    if (reserved.length === 0) return super.transform(value, metadata);
    const errors = reserved.map((field) => ({ field: unknownFieldName(field), rules: ['whitelistValidation'] }));
    try {
      await super.transform(value, metadata);
    } catch (error) {
      // the other fields' errors too, in one answer
      if (error instanceof ProblemException) errors.push(...((error.extensions as { errors?: typeof errors }).errors ?? []));
      else throw error;
    }
    throw validationFailed(errors);
  }
}

const validationFailed = (errors: { field: string; rules: string[] }[]) =>
  new ProblemException(400, 'VALIDATION_FAILED', 'the request does not match the schema', { errors });

/** The global pipe: whitelist, forbid unknown properties, transform (ARCHITECTURE §8). */
export const ledgerValidationPipe = () =>
  new SyncValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(describe(errors)),
  });

/**
 * The body of a command that takes no fields (lifting a restriction, settling an
 * obligation, releasing a hold): none, or `{}`; the query of a read that takes no
 * parameters: `{}`. Anything else is refused as an unknown field of any other command or
 * query is; it was ignored (HTTP 1.34.0), so a client that sent a `reason` believed it
 * recorded.
 */
@Injectable()
export class NoFieldsPipe implements PipeTransform<unknown, undefined> {
  transform(value: unknown): undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw validationFailed([{ field: '', rules: ['isEmptyObject'] }]);
    const fields = Object.keys(value);
    if (fields.length > 0) throw validationFailed(fields.map((field) => ({ field: unknownFieldName(field), rules: ['whitelistValidation'] })));
    return undefined;
  }
}

/** The OpenAPI side of NoFieldsPipe: an optional body, `{}` at most. */
export const NoFieldsBody = () =>
  ApiBody({ required: false, description: 'no fields: send no body, or `{}`', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } });

/** Path ids are opaque (ARCHITECTURE §3): nothing shaped like an email or phone number. */
@Injectable()
export class OpaqueIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isOpaqueId(value)) {
      throw new ProblemException(400, 'INVALID_ID', `ids are opaque: ${OPAQUE_ID_PATTERN.source}, without long runs of digits unless a UUID or ULID`);
    }
    return value;
  }
}

/**
 * A reference in a path (an agreement's, percent-encoded): the same rule as the body field
 * it was recorded with, or a reference with a space, a slash or a long number could be
 * recorded and never named again.
 */
@Injectable()
export class ReferencePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!REFERENCE_PATTERN.test(value)) throw new ProblemException(400, 'INVALID_REFERENCE', `references match ${REFERENCE_PATTERN.source}`);
    return value;
  }
}

/** Policy version labels in paths. */
@Injectable()
export class IsVersionPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!VERSION_PATTERN.test(value)) throw new ProblemException(400, 'INVALID_VERSION', 'not a policy version label');
    return value;
  }
}

/**
 * Ids the ledger issued itself (UUIDs: erasures, withdrawals). Not held to the opaque-id
 * digit rule: hex often has long runs of decimal digits, and these ids name no person.
 */
@Injectable()
export class LedgerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!LEDGER_ID_PATTERN.test(value)) {
      throw new ProblemException(400, 'INVALID_ID', 'this id is one the ledger issued: a lower-case UUID');
    }
    return value;
  }
}

/**
 * What the pipes above enforce on each path parameter, for the OpenAPI document (Swagger
 * cannot see inside a pipe); app.ts writes it into every path that has the parameter.
 */
export const PATH_PARAMETER_SCHEMAS: Record<string, { pattern: string; description: string }> = Object.fromEntries([
  ...['subjectId', 'recipientId', 'obligationId', 'holdId'].map((name) => [name, {
    pattern: OPAQUE_ID_PATTERN.source,
    description: 'an opaque id: never an email, a phone or a document number, so no run of 7+ digits unless the id is a UUID or a ULID (§4.1)',
  }]),
  ['erasureId', { pattern: LEDGER_ID_PATTERN.source, description: 'an id the ledger issued (lower-case UUID)' }],
  ['version', { pattern: VERSION_PATTERN.source, description: 'a policy version label' }],
  ['reference', { pattern: REFERENCE_PATTERN.source, description: 'the reference the agreement was recorded with, percent-encoded' }],
]);
