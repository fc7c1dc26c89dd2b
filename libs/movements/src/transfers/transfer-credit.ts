import { convertMinor, type RateProvider } from '@ledger/ledger';

export interface TransferCredit {
  readonly amountMinor: bigint;
  readonly rate?: string;
  readonly source?: string;
  readonly asOf?: string;
}

/**
 * What a transfer of `amountMinor` in `from` credits in `to`: the amount
 * itself in the same currency, else the provider's current rate, rounded
 * down. The transfer and its quote both ask here, so a quote shows what the
 * transfer would credit at the same rate.
 */
export async function creditFor(
  rates: RateProvider,
  amountMinor: bigint,
  from: string,
  to: string,
): Promise<TransferCredit | 'fx_rate_unavailable' | 'converted_amount_too_small'> {
  if (from === to) return { amountMinor };
  const quote = await rates.quote(from, to);
  if (!quote) return 'fx_rate_unavailable';
  const converted = convertMinor(amountMinor, from, to, quote.rate);
  if (converted <= 0n) return 'converted_amount_too_small';
  return { amountMinor: converted, rate: quote.rate, source: quote.source, asOf: quote.asOf };
}
