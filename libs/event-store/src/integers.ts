/**
 * The one conversion of a stored integer to a bigint. int8 and xid8 columns
 * arrive as decimal strings from both the pg and the PGlite adapters (PGlite
 * is configured to match pg), and the wallet codec stores amounts as strings.
 * Numbers are accepted, but only when exact: a number outside the safe range
 * has already lost precision, so it is refused. `what` names the column or
 * field in the error.
 */
export function toBigInt(value: unknown, what = 'value'): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`Not an exact integer (${what}): ${typeof value} ${String(value)}`);
}
