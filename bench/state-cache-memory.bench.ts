import { randomUUID } from 'node:crypto';
import { StateCache, walletAggregate, walletStream, type Wallet } from '@ledger/ledger';

/**
 * `npm run bench:state-cache`: heap bytes per cached wallet, per remembered
 * command id and per open hold, the figures the state cache's default limits
 * are sized from (docs/performance.md). Needs `node --expose-gc`, which the
 * npm script passes.
 */
const SHAPES = [
  { wallets: 100_000, ids: 0, holds: 0 },
  { wallets: 100_000, ids: 10, holds: 0 },
  { wallets: 2_000, ids: 1_000, holds: 0 },
  { wallets: 20_000, ids: 0, holds: 5 },
];

/**
 * Command ids and wallet ids reach the cache from parsed JSON or a hash,
 * which are flat strings; randomUUID's are built by concatenation and would
 * count their rope nodes too.
 */
const flatId = (): string => JSON.parse(JSON.stringify(randomUUID()));

function wallet(postedMinor: bigint, holds: number): Wallet {
  const open = new Map(
    Array.from({ length: holds }, () => {
      const holdId = flatId();
      const fields = {
        holdId,
        amountMinor: '123',
        currency: 'USD',
        contra: `transit:transfer-${flatId()}`,
        kind: 'transfer',
      };
      return [holdId, { amountMinor: 123n, fields }] as [string, any];
    }),
  );
  return {
    status: 'open',
    walletId: flatId(),
    ownerId: flatId(),
    currency: 'USD',
    postedMinor,
    heldMinor: 123n * BigInt(holds),
    holds: open,
  };
}

function measure(shape: (typeof SHAPES)[number]) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('Run with node --expose-gc');
  gc();
  const before = process.memoryUsage().heapUsed;
  const cache = new StateCache<Wallet>({
    maxStreams: shape.wallets,
    maxRecentCommands: shape.ids,
    maxCommandIds: shape.wallets * shape.ids,
  });
  for (let i = 0; i < shape.wallets; i++) {
    const ids = Array.from({ length: shape.ids }, flatId);
    const entry = cache
      .empty(walletAggregate.initialState)
      .advance(wallet(BigInt(i), shape.holds), 10n, ids);
    cache.set(walletStream(flatId()), entry);
  }
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / shape.wallets;
  if (cache.size !== shape.wallets) throw new Error('The cache dropped entries while measuring');
  return { ...shape, bytes_per_wallet: Math.round(bytes) };
}

const results = SHAPES.map(measure);
console.log(JSON.stringify({ benchmark: 'state-cache-memory', results }, null, 2));
console.table(results);
