import { exponentOf, isCurrency } from '../../money';

/**
 * Exchange rates for cross-currency transfers. A rate is an exact decimal
 * string ("0.92" EUR per USD), never a float, and every conversion is bigint
 * arithmetic with one stated rounding rule: the converted amount is rounded
 * DOWN to a whole minor unit of the target currency. The recipient never
 * gets more than the exact value; the fraction stays in `system:fx`, whose
 * balance per currency is the platform's FX position.
 */
export interface FxQuote {
  readonly from: string;
  readonly to: string;
  /** Units of `to` per unit of `from`, as an exact decimal string. */
  readonly rate: string;
  /** Where the rate came from (`configured`, a provider's name), for the audit trail. */
  readonly source: string;
  /** When the provider published the rate (ISO 8601); absent for the configured table. */
  readonly asOf?: string;
}

/** Where cross-currency transfers get their rates. Adapters: a configured table, an HTTP provider. */
export interface RateProvider {
  /** The rate to convert `from` into `to` now, or undefined when there is none. */
  quote(from: string, to: string): Promise<FxQuote | undefined>;
}

export const RATE_PROVIDER = Symbol('RATE_PROVIDER');

/** Up to 12 significant decimals on either side; more would be noise, not precision. */
const RATE_PATTERN = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

export function isValidRate(rate: string): boolean {
  const match = RATE_PATTERN.exec(rate);
  return match !== null && /[1-9]/.test(match[1] + (match[2] ?? ''));
}

/**
 * Converts minor units of `from` into minor units of `to` at `rate`, rounding
 * down. Exponents differ (USD 2, JPY 0), so the scale moves with them:
 * 1000 USD-cents at 150.5 JPY/USD is 10 USD = 1505 JPY.
 */
export function convertMinor(amountMinor: bigint, from: string, to: string, rate: string): bigint {
  const match = RATE_PATTERN.exec(rate);
  if (!match || !isValidRate(rate)) throw new RangeError(`Not a positive decimal rate: ${rate}`);
  const fraction = match[2] ?? '';
  const numerator = BigInt(match[1] + fraction) * 10n ** BigInt(exponentOf(to));
  const denominator = 10n ** BigInt(fraction.length) * 10n ** BigInt(exponentOf(from));
  // bigint division truncates towards zero, which for positive amounts is rounding down.
  return (amountMinor * numerator) / denominator;
}

export class FxTableError extends Error {
  override readonly name = 'FxTableError';
}

/** At most this many pairs in a configured table; a longer one is a configuration mistake. */
const MAX_CONFIGURED_PAIRS = 500;

/**
 * Parses `LEDGER_FX_RATES`, e.g. `USD/EUR=0.92,EUR/USD=1.08`. Each direction
 * is configured on its own: an inverse is not implied, because 1/0.92 is not
 * a finite decimal and the spread differs per direction anyway.
 */
export function parseRateTable(text: string): Map<string, string> {
  const table = new Map<string, string>();
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length > MAX_CONFIGURED_PAIRS)
    throw new FxTableError(`At most ${MAX_CONFIGURED_PAIRS} FX pairs`);
  for (const entry of entries) {
    const match = /^([A-Z]{3})\/([A-Z]{3})=(\S+)$/.exec(entry);
    if (!match) throw new FxTableError(`FX rate "${entry}" is not of the form USD/EUR=0.92`);
    const [, from, to, rate] = match;
    if (!isCurrency(from) || !isCurrency(to))
      throw new FxTableError(`FX rate "${entry}" names an unsupported currency`);
    if (from === to) throw new FxTableError(`FX rate "${entry}" converts a currency into itself`);
    if (rate === undefined || !isValidRate(rate))
      throw new FxTableError(
        `FX rate "${entry}" is not a positive decimal with at most 12 fraction digits`,
      );
    table.set(`${from}/${to}`, rate);
  }
  return table;
}

/** Rates from configuration: the default, and what tests and the sandbox use. */
export class ConfiguredRateProvider implements RateProvider {
  private readonly table: Map<string, string>;

  constructor(text: string) {
    this.table = parseRateTable(text);
  }

  async quote(from: string, to: string): Promise<FxQuote | undefined> {
    const rate = this.table.get(`${from}/${to}`);
    return rate ? { from, to, rate, source: 'configured' } : undefined;
  }
}
