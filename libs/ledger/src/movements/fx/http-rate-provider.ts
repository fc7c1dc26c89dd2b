import { isCurrency } from '../../money';
import { isValidRate, type FxQuote, type RateProvider } from './fx-rate';

/**
 * Rates from an HTTP provider that publishes one base currency's rates as
 *
 *   { "base": "EUR", "date": "2026-03-02", "source": "ECB",
 *     "rates": { "USD": "1.0812", "KES": "139.52" } }
 *
 * which is the European Central Bank's daily reference rates as Frankfurter
 * (https://api.frankfurter.app/latest) serves them; `source` and a
 * `timestamp` (ISO 8601) are optional, a rate may be a string or a JSON
 * number without exponent. The table is cached with its time and source,
 * refreshed every `refreshMs`, and refused once older than `maxAgeMs`: then,
 * or when the provider never answered, the fallback (the configured table)
 * quotes. A failed refresh keeps the last good table until it is too old.
 */
export interface HttpRateProviderOptions {
  readonly url: string;
  readonly refreshMs: number;
  readonly maxAgeMs: number;
  readonly timeoutMs?: number;
  readonly fallback: RateProvider;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

interface RateTable {
  readonly base: string;
  readonly rates: ReadonlyMap<string, string>;
  readonly asOf: Date;
  readonly source: string;
}

/** Cross rates are cut (never rounded up) to this many decimals, as the configured table allows. */
const CROSS_RATE_DIGITS = 12;
const MAX_RATES = 500;

export class HttpRateProvider implements RateProvider {
  private table?: RateTable;
  private refreshing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly now: () => Date;

  constructor(private readonly options: HttpRateProviderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Refreshes now and then every `refreshMs`; the timer never keeps the process alive. */
  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async quote(from: string, to: string): Promise<FxQuote | undefined> {
    if (!this.table) await this.refresh();
    const table = this.table;
    const fresh = table && this.now().getTime() - table.asOf.getTime() <= this.options.maxAgeMs;
    const rate = fresh ? crossRate(table, from, to) : undefined;
    if (!rate) return this.options.fallback.quote(from, to);
    return { from, to, rate, source: table!.source, asOf: table!.asOf.toISOString() };
  }

  /** One request at a time; its failure is reported and leaves the last good table. */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchTable()
      .then((table) => {
        this.table = table;
      })
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async fetchTable(): Promise<RateTable> {
    const res = await fetch(this.options.url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new Error(`FX provider answered ${res.status}`);
    return parseRateTable(await res.json(), new URL(this.options.url).host);
  }
}

/** The documented shape, checked: anything else is an error, never a guessed rate. */
export function parseRateTable(body: unknown, defaultSource: string): RateTable {
  const b = body as {
    base?: unknown;
    date?: unknown;
    timestamp?: unknown;
    source?: unknown;
    rates?: unknown;
  };
  if (typeof b?.base !== 'string' || !isCurrency(b.base))
    throw new Error('FX table: base must be a currency');
  const asOf = new Date(
    String(b.timestamp ?? (typeof b.date === 'string' ? `${b.date}T00:00:00Z` : '')),
  );
  if (Number.isNaN(asOf.getTime())) throw new Error('FX table: date or timestamp is required');
  if (typeof b.rates !== 'object' || b.rates === null)
    throw new Error('FX table: rates must be an object');
  const entries = Object.entries(b.rates as Record<string, unknown>);
  if (entries.length > MAX_RATES) throw new Error(`FX table: at most ${MAX_RATES} rates`);
  const rates = new Map<string, string>();
  for (const [currency, value] of entries) {
    const rate = typeof value === 'number' ? String(value) : value;
    // Currencies the ledger does not hold are skipped; a malformed rate is refused.
    if (!isCurrency(currency)) continue;
    if (typeof rate !== 'string' || !isValidRate(rate))
      throw new Error(`FX table: ${currency} is not a decimal rate`);
    rates.set(currency, rate);
  }
  const source =
    typeof b.source === 'string' && /^[\w .:-]{1,40}$/.test(b.source) ? b.source : defaultSource;
  return { base: b.base, rates, asOf, source };
}

/**
 * `to` per `from` through the base: rates[to] / rates[from], in bigint, cut
 * to 12 decimals, so a converted amount is never more than the exact value.
 */
function crossRate(table: RateTable, from: string, to: string): string | undefined {
  if (from === to) return undefined;
  const perBase = (c: string) => (c === table.base ? '1' : table.rates.get(c));
  const fromRate = perBase(from);
  const toRate = perBase(to);
  if (!fromRate || !toRate) return undefined;
  const [toInt, toScale] = scaled(toRate);
  const [fromInt, fromScale] = scaled(fromRate);
  const scale = 10n ** BigInt(CROSS_RATE_DIGITS);
  const q = (toInt * 10n ** fromScale * scale) / (fromInt * 10n ** toScale);
  const whole = (q / scale).toString();
  const fraction = (q % scale).toString().padStart(CROSS_RATE_DIGITS, '0').replace(/0+$/, '');
  const rate = fraction ? `${whole}.${fraction}` : whole;
  return isValidRate(rate) ? rate : undefined;
}

function scaled(rate: string): [bigint, bigint] {
  const [whole, fraction = ''] = rate.split('.');
  return [BigInt(whole + fraction), BigInt(fraction.length)];
}
