/**
 * Amounts stay integer minor units (strings from the API, bigint here) all
 * the way to the screen: the decimal point is placed by the currency's
 * exponent, the digits grouped by the browser's locale. No float ever
 * holds money, so 0.1 + 0.2 cannot happen to anyone's balance.
 */
export function exponentOf(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
  } catch {
    return 2;
  }
}

export function formatMinor(minor: string | bigint, currency: string, locale?: string): string {
  const value = BigInt(minor);
  const exponent = exponentOf(currency);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Format a placeholder to learn the locale's symbol placement and decimal
  // sign, then put the exact digits in; formatToParts keeps it exact for
  // amounts beyond Number's 2^53.
  const parts = format.formatToParts(negative ? -1 : 1);
  const grouped = BigInt(whole).toLocaleString(locale);
  return parts
    .map((part) => {
      if (part.type === 'integer') return grouped;
      if (part.type === 'fraction') return fraction;
      return part.value;
    })
    .join('');
}

export type ParsedAmount = { ok: true; minor: bigint } | { ok: false; problem: string };

/** Reads what a person typed ("12.50", "12,50", "1 250") as minor units of `currency`. */
export function parseAmount(input: string, currency: string): ParsedAmount {
  const exponent = exponentOf(currency);
  const text = input.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (text === '') return { ok: false, problem: 'Enter an amount.' };
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(text);
  if (!match) return { ok: false, problem: 'Use digits and at most one decimal sign.' };
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    return {
      ok: false,
      problem:
        exponent === 0
          ? `${currency} has no decimal places.`
          : `${currency} has ${exponent} decimal places at most.`,
    };
  }
  const minor = BigInt(match[1] + fraction.padEnd(exponent, '0'));
  if (minor <= 0n) return { ok: false, problem: 'The amount must be more than zero.' };
  return { ok: true, minor };
}
