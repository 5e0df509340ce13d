/**
 * Domain errors carry a stable `code` and, where a policy rule refused the command, the
 * clause. They never carry personal data: their messages end up in logs and responses.
 *
 * kind:
 * - `refused`  — a rule of the policy forbids it (HTTP 422, names the clause);
 * - `invalid`  — the command contradicts itself or the clock (HTTP 400);
 * - `not-found`— the stream it names does not exist (HTTP 404).
 */
export type DomainErrorKind = 'refused' | 'invalid' | 'not-found';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'refused',
    readonly clause?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const refused = (code: string, clause: string, message: string) =>
  new DomainError(code, message, 'refused', clause);
export const invalid = (code: string, message: string) => new DomainError(code, message, 'invalid');
export const notFound = (code: string, message: string) => new DomainError(code, message, 'not-found');
