import type { SqlExecutor } from '@ledger/database';
import type { RecordedEvent } from '@ledger/event-store';
import { writeAccountBalances } from './account-balances/account-balances.writer';
import { writeBalanceHistory } from './balance-history/balance-history.writer';
import { planBatch } from './batch.plan';
import { planMovements } from './movements/movements.plan';
import { writeMovements } from './movements/movements.writer';
import { checkedSchema, LIVE_SCHEMA } from './schema';
import { writeWalletBalances } from './wallet-balances/wallet-balances.writer';
import { writeWalletHistory } from './wallet-history/wallet-history.writer';

export const READ_MODELS_PROJECTOR = 'read_models';

/**
 * The ledger's read models (wallet balances, wallet history, system and
 * transit account balances, the balance history with its per-currency
 * totals, and the movements a wallet user sees) under one checkpoint: they are derived from the same wallet
 * events, so one pass decodes each batch once and all the tables always
 * reflect the same position.
 */
export class ReadModelsProjector {
  readonly name = READ_MODELS_PROJECTOR;
  readonly schema: string;

  constructor(options: { schema?: string } = {}) {
    this.schema = checkedSchema(options.schema ?? LIVE_SCHEMA);
  }

  async apply(tx: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const plan = planBatch(events);
    // The first statement goes out before the movements are planned (in the
    // next microtask, before any reply can arrive), so the database works
    // while this process plans; Promise.all handles a failure of either.
    const [applied, movements] = await Promise.all([
      writeWalletBalances(tx, this.schema, plan),
      Promise.resolve(events).then(planMovements),
    ]);
    await writeWalletHistory(tx, this.schema, plan, applied);
    await writeAccountBalances(tx, this.schema, plan);
    await writeBalanceHistory(tx, this.schema, plan);
    await writeMovements(tx, this.schema, movements, plan.first);
  }
}
