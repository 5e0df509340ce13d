import { Injectable, ValidationPipe, type PipeTransform, type ValidationError } from '@nestjs/common';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { isOpaqueId, OPAQUE_ID_PATTERN } from '@ledger/domain';
import { ProblemException } from './problem';
import { LEDGER_ID_PATTERN } from './validators';

/** Field paths and the rules they broke, never the values (they may be personal data). */
function describe(errors: ValidationError[], parent = ''): { field: string; rules: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, rules: Object.keys(e.constraints) }] : [];
    return [...own, ...describe(e.children ?? [], field)];
  });
}

/**
 * Every rule here is synchronous, so validation runs with `validateSync`: the async
 * path costs a promise per constraint, which measured as most of the request time.
 */
class SyncValidationPipe extends ValidationPipe {
  protected override validate(object: object, options?: ValidatorOptions): ValidationError[] {
    return validateSync(object, options);
  }
}

/** The global pipe: whitelist, forbid unknown properties, transform (ARCHITECTURE §8). */
export const ledgerValidationPipe = () =>
  new SyncValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ProblemException(400, 'VALIDATION_FAILED', 'the request does not match the schema', { errors: describe(errors) }),
  });

/** Path ids are opaque (ARCHITECTURE §3): nothing shaped like an email or phone number. */
@Injectable()
export class OpaqueIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isOpaqueId(value)) {
      throw new ProblemException(400, 'INVALID_ID', `ids are opaque: ${OPAQUE_ID_PATTERN.source}, without long runs of digits`);
    }
    return value;
  }
}

/** Policy version labels in paths. */
@Injectable()
export class IsVersionPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(value)) throw new ProblemException(400, 'INVALID_VERSION', 'not a policy version label');
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
