import { writeFileSync } from 'node:fs';
import {
  createMobileMoneyGateway,
  createPaymentGateway,
  readMpesaConfig,
  readPaymentsConfig,
  SandboxGateway,
  type PaymentGateway,
} from '@ledger/payments';
import { runCli } from '@ledger/runtime';
import { readFinanceConfig } from '../finance.config';
import type { Rail } from '../reconciliation/reconciliation.types';
import {
  reconciliationCsv,
  runReconciliation,
  type ReconciliationResult,
} from '../reconciliation/reconciliation.run';
import { parseReconciliationPeriod } from '../reconciliation/period-input';

/**
 * `npm run ledger:reconcile -- --from 2026-11-01 --to 2026-12-01 [--csv out.csv] [--json]`:
 * reconciles [from, to) against the configured providers, records the breaks
 * for finance, and prints a summary. Exit 0 clean, 1 breaks, 2 could not run.
 */
void runCli(async (runtime, args) => {
  const period = parseReconciliationPeriod(option(args, 'from'), option(args, 'to'));
  if (typeof period === 'string') throw new Error(period);
  const env = process.env;
  const gateways: Array<{ rail: Rail; gateway: PaymentGateway }> = [
    { rail: 'card', gateway: createPaymentGateway(readPaymentsConfig(env)) },
  ];
  const mobile = createMobileMoneyGateway(readMpesaConfig(env));
  if (mobile) gateways.push({ rail: 'mpesa', gateway: mobile });
  try {
    const result = await runReconciliation(
      { db: runtime.db, store: runtime.store, gateways, config: readFinanceConfig(env) },
      period,
      { record: true },
    );
    const csv = option(args, 'csv');
    if (csv) writeFileSync(csv, reconciliationCsv(result));
    console.log(
      args.includes('--json')
        ? JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)
        : summary(result, gateways),
    );
    return result.breaks.length === 0 ? 0 : 1;
  } finally {
    for (const { gateway } of gateways) if (gateway instanceof SandboxGateway) gateway.close();
  }
});

function summary(
  r: ReconciliationResult,
  gateways: ReadonlyArray<{ gateway: PaymentGateway }>,
): string {
  return [
    `reconciliation ${r.from} to ${r.to}: ${r.breaks.length === 0 ? 'CLEAN' : 'BREAKS'}`,
    ...r.providers.map(
      (p) =>
        `  ${p.provider.padEnd(14)} ${p.report}${p.reason ? ` (${p.reason})` : ''}, ${p.items} items`,
    ),
    ...(gateways.some((g) => g.gateway instanceof SandboxGateway)
      ? ['  note: the sandbox keeps its books in the memory of the process that made the calls']
      : []),
    `  movements        ${r.movements}${r.truncated ? ' (truncated: reconcile a shorter period)' : ''}`,
    `  matched          ${r.matched.length}`,
    `  breaks           ${r.breaks.length}`,
    ...r.breaks.map(
      (b) => `    ${b.kind.padEnd(22)} ${b.status.padEnd(9)} ${b.objectId}  ${b.detail}`,
    ),
    ...(r.clearing === null
      ? ['  clearing         not available: the balance history starts after the period']
      : r.clearing.map(
          (c) =>
            `  ${c.account} ${c.currency}  expected ${c.expectedMinor}  actual ${c.actualMinor}  difference ${c.differenceMinor}`,
        )),
  ].join('\n');
}

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
