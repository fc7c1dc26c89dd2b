import type { FinanceAdjustment } from '@ledger/finance';

/** An adjustment request over HTTP: amounts as strings, like every amount the API returns. */
export function adjustmentView(a: FinanceAdjustment) {
  return { ...a, amountMinor: a.amountMinor.toString() };
}
