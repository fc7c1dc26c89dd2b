/**
 * Money is a bigint count of minor units plus an ISO 4217 currency code.
 * Amounts are never held in binary floating point: a JSON integer is taken
 * only while it is a safe integer and becomes a bigint at once, and columns
 * are bigint. This module is the one place where amounts are parsed and
 * formatted.
 */

/** ISO 4217 codes this ledger accepts, with their minor-unit exponents. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  AED: 2,
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KES: 2,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PHP: 2,
  PLN: 2,
  RON: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  UAH: 2,
  USD: 2,
  VND: 0,
  ZAR: 2,
});

export type Currency = string;

/**
 * The largest amount one entry may carry: 10^15 minor units (ten trillion
 * dollars). It keeps every sum of entries far inside int8 and rejects
 * amounts that can only be typing mistakes or attacks.
 */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000n;

export interface Money {
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

export function isCurrency(code: unknown): code is Currency {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENTS, code);
}

export function exponentOf(currency: Currency): number {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === undefined) throw new RangeError(`Unknown currency ${currency}`);
  return exponent;
}

export type AmountProblem =
  | 'amount_required'
  | 'amount_must_be_integer_minor_units'
  | 'amount_must_be_positive'
  | 'amount_exceeds_limit';

export const AMOUNT_PROBLEM_MESSAGES: Readonly<Record<AmountProblem, string>> = {
  amount_required: 'is required',
  amount_must_be_integer_minor_units:
    'must be a whole number of minor units, as a JSON integer or a string of digits (no fractions, signs or exponents)',
  amount_must_be_positive: 'must be greater than zero',
  amount_exceeds_limit: `must not exceed ${MAX_AMOUNT_MINOR} minor units`,
};

const DIGITS = /^[0-9]{1,19}$/;

/**
 * Parses an amount as it arrives over HTTP: a JSON integer (a safe integer,
 * since JSON numbers beyond 2^53 have already lost precision) or a string of
 * decimal digits. Fractions, signs, exponent form, zero and amounts above
 * MAX_AMOUNT_MINOR are problems, never silently rounded.
 */
export function parseAmountMinor(input: unknown): bigint | AmountProblem {
  if (input === undefined || input === null || input === '') return 'amount_required';
  let value: bigint;
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) return 'amount_must_be_integer_minor_units';
    value = BigInt(input);
  } else if (typeof input === 'string') {
    if (!DIGITS.test(input)) return 'amount_must_be_integer_minor_units';
    value = BigInt(input);
  } else if (typeof input === 'bigint') {
    value = input;
  } else {
    return 'amount_must_be_integer_minor_units';
  }
  if (value <= 0n) return 'amount_must_be_positive';
  if (value > MAX_AMOUNT_MINOR) return 'amount_exceeds_limit';
  return value;
}

/**
 * An int8 as either SQL driver returns it, or an amount as the codec stores
 * it, as a bigint: the event store port's one conversion, offered here so
 * that money code has it beside the rest.
 */
export { toBigInt } from '@ledger/event-store';

/** "1234" USD → "12.34"; JPY → "1234"; KWD → "1.234". For display only. */
export function formatMinor(amountMinor: bigint, currency: Currency): string {
  const exponent = exponentOf(currency);
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** "12.34" USD → 1234n. Rejects more fractional digits than the currency has. */
export function parseMajor(text: string, currency: Currency): bigint | undefined {
  const exponent = exponentOf(currency);
  const match = /^(-?)(\d{1,16})(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const fraction = match[3] ?? '';
  if (fraction.length > exponent) return undefined;
  const minor = BigInt(match[2] + fraction.padEnd(exponent, '0'));
  return match[1] === '-' ? -minor : minor;
}

/**
 * An amount as a person reads it in a locale ("-€25.00" in en-GB, "-25,00 €"
 * in de-DE), or undefined for a locale Intl does not know. The amount goes
 * to Intl as an exact decimal string, never a number, so no digit is lost
 * however large; the fraction digits are the currency's own.
 */
export function formatMoney(
  amountMinor: bigint,
  currency: Currency,
  locale: string,
): string | undefined {
  const exponent = exponentOf(currency);
  try {
    const format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    // Intl formats a decimal string exactly (ECMA-402 NumberFormat v3).
    return format.format(formatMinor(amountMinor, currency) as unknown as number);
  } catch {
    return undefined;
  }
}

/** Whether Intl knows the locale well enough to format amounts in it. */
export function isFormatLocale(locale: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale]).length > 0;
  } catch {
    return false;
  }
}
