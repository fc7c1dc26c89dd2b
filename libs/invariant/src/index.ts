/**
 * `@ledger/invariant`: a value that must be there. With `noUncheckedIndexedAccess`
 * an index (`rows[0]`, `match[1]`) may be missing; where its absence can only be
 * a bug (a query that always returns one row, a group a regular expression always
 * captures) `must` says so loudly instead of letting `undefined` travel on.
 * Where absence is an expected case, check it and handle it instead.
 */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/** The value, or an `InvariantViolation` naming `what` was missing. */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new InvariantViolation(`missing ${what}`);
  return value;
}
