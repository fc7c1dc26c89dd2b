import { must } from '@ledger/invariant';
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';

/**
 * The one load shape both transfer servers are driven with, so their figures
 * compare: `connections` autocannon connections posting `POST /transfers` for
 * `seconds`, each request moving 1 minor unit between two different wallets
 * picked at random, each with its own Idempotency-Key.
 */
export interface TransferLoad {
  readonly baseUrl: string;
  readonly connections: number;
  readonly seconds: number;
  readonly wallets: readonly string[];
  readonly currency: string;
  /** Headers every request carries (the bearer token for the ledger). */
  readonly headers?: Record<string, string>;
}

export interface LoadFigures {
  /** Answers with a 2xx status. */
  readonly ok: number;
  readonly non_2xx: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
}

export async function runTransferLoad(load: TransferLoad): Promise<LoadFigures> {
  if (load.wallets.length < 2) throw new RangeError('A transfer load needs at least two wallets');
  const result = await autocannon({
    url: `${load.baseUrl}/transfers`,
    method: 'POST',
    connections: load.connections,
    duration: load.seconds,
    headers: { ...load.headers, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const [from, to] = randomPair(load.wallets);
          return {
            ...request,
            headers: { ...request.headers, 'idempotency-key': randomUUID() },
            body: JSON.stringify({
              fromWalletId: from,
              toWalletId: to,
              amountMinor: '1',
              currency: load.currency,
            }),
          };
        },
      },
    ],
  });
  return {
    ok: result['2xx'],
    non_2xx: result.non2xx,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
}

/** Two different wallets; picking the second from the others needs no retry loop. */
function randomPair(wallets: readonly string[]): [string, string] {
  const first = Math.floor(Math.random() * wallets.length);
  const offset = 1 + Math.floor(Math.random() * (wallets.length - 1));
  return [
    must(wallets[first], 'wallet'),
    must(wallets[(first + offset) % wallets.length], 'wallet'),
  ];
}
