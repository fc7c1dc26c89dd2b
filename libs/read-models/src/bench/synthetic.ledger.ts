import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '@ledger/database';
import { chainHash, contentHash, GENESIS_HASH } from '@ledger/event-store';
import {
  availableOf,
  decide,
  evolve,
  initialWallet,
  toEventData,
  walletStream,
  type AccountRef,
  type Wallet,
  type WalletCommand,
} from '@ledger/ledger';

/**
 * A deterministic stream of valid wallet events for benchmarks: every event
 * is decided by the wallet decider on the wallet's current state, so the log
 * is one the verifier must find clean. Wallets interleave in the log the way
 * concurrent customers would.
 */
export class SyntheticLedger {
  private readonly wallets: Array<{ id: string; state: Wallet; revision: bigint; holds: string[] }>;
  private seed: number;
  private clock = Date.parse('2025-01-01T00:00:00Z');

  constructor(walletCount: number, seed = 42) {
    this.seed = seed;
    this.wallets = Array.from({ length: walletCount }, () => ({
      id: randomUUID(),
      state: initialWallet,
      revision: -1n,
      holds: [],
    }));
  }

  /** The next `count` events as rows for the events table. */
  take(count: number): SyntheticEvent[] {
    const rows: SyntheticEvent[] = [];
    while (rows.length < count) {
      const wallet = this.wallets[this.random(this.wallets.length)];
      if (!wallet) throw new Error('A synthetic ledger needs at least one wallet');
      const command = this.nextCommand(wallet);
      const events = decide(command, wallet.state);
      if (typeof events === 'string') continue;
      for (const [index, event] of events.entries()) {
        wallet.revision += 1n;
        const data = toEventData(wallet.id, event, command.commandId, index, {});
        rows.push({
          id: data.id,
          s: walletStream(wallet.id),
          r: wallet.revision.toString(),
          t: data.type,
          d: data.data,
        });
        wallet.state = evolve(wallet.state, event);
      }
    }
    return rows;
  }

  private nextCommand(wallet: SyntheticLedger['wallets'][number]): WalletCommand {
    const base = { commandId: randomUUID(), at: new Date((this.clock += 10)).toISOString() };
    const state = wallet.state;
    if (state.status === 'unopened')
      return {
        type: 'OpenWallet',
        walletId: wallet.id,
        ownerId: `owner-${wallet.id.slice(0, 8)}`,
        currency: 'USD',
        ...base,
      };
    const dice = this.random(100);
    const amountMinor = BigInt(100 + this.random(10_000));
    const transit = `transit:transfer-${randomUUID()}` as AccountRef;
    if (dice < 10 && wallet.holds.length > 0) {
      const holdId = wallet.holds.pop()!;
      return { type: dice < 6 ? 'CaptureHold' : 'ReleaseHold', holdId, ...base };
    }
    if (dice < 25 && availableOf(state) >= amountMinor) {
      const holdId = randomUUID();
      wallet.holds.push(holdId);
      return {
        type: 'PlaceHold',
        holdId,
        amountMinor,
        currency: 'USD',
        contra: transit,
        kind: 'transfer',
        ...base,
      };
    }
    if (dice < 45 && availableOf(state) >= amountMinor) {
      return {
        type: 'Debit',
        entryId: randomUUID(),
        amountMinor,
        currency: 'USD',
        contra: 'system:payouts_clearing',
        kind: 'withdrawal',
        ...base,
      };
    }
    return {
      type: 'Credit',
      entryId: randomUUID(),
      amountMinor,
      currency: 'USD',
      contra: 'system:card_clearing',
      kind: 'top_up',
      ...base,
    };
  }

  /** xorshift32: reproducible and allocation-free. */
  private random(bound: number): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed % bound;
  }
}

export interface SyntheticEvent {
  readonly id: string;
  readonly s: string;
  readonly r: string;
  readonly t: string;
  readonly d: Record<string, unknown>;
}

/**
 * Seeds `events` synthetic events over `wallets` wallets, `chunk` events per
 * transaction. With `hashChain`, each event carries its chain hash and each
 * stream its head, computed as es_append_locked computes them, so that
 * `ledger:verify` has real chains to check. Only for benchmark databases.
 */
export async function seedSyntheticLog(
  db: SqlDatabase,
  options: {
    readonly events: number;
    readonly wallets: number;
    readonly chunk: number;
    readonly hashChain?: boolean;
  },
): Promise<void> {
  const ledger = new SyntheticLedger(options.wallets);
  const heads = options.hashChain ? new Map<string, string>() : undefined;
  for (let done = 0; done < options.events; done += options.chunk) {
    await insertEvents(db, ledger.take(Math.min(options.chunk, options.events - done)), heads);
  }
}

/**
 * Writes events straight into the SQL event store's tables
 * (migrations/001_event_store.sql), one transaction per chunk, far faster
 * than appending stream by stream. Given `heads` (each stream's head hash so
 * far, updated here), the events are chained as the store chains them.
 * Only for seeding a benchmark database.
 */
export async function insertEvents(
  db: SqlDatabase,
  events: readonly SyntheticEvent[],
  heads?: Map<string, string>,
): Promise<void> {
  const rows = heads ? events.map((e) => chained(e, heads)) : events;
  const last = new Map<string, { r: string; h: string | null }>();
  for (const e of rows) last.set(e.s, { r: e.r, h: 'h' in e ? String(e.h) : null });
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO streams (stream_id, revision, head_hash)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
       ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, head_hash = excluded.head_hash`,
      [[...last.keys()], [...last.values()].map((v) => v.r), [...last.values()].map((v) => v.h)],
    );
    await tx.query(
      `INSERT INTO events (event_id, stream_id, revision, type, data, hash)
       SELECT (e->>'id')::uuid, e->>'s', (e->>'r')::bigint, e->>'t', e->'d', e->>'h'
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, ord)
        ORDER BY ord`,
      [JSON.stringify(rows)],
    );
  });
}

function chained(e: SyntheticEvent, heads: Map<string, string>): SyntheticEvent & { h: string } {
  // The data goes through JSON once, as jsonb hands it back to verify.
  const data = JSON.parse(JSON.stringify(e.d)) as unknown;
  const content = contentHash({ id: e.id, type: e.t, data, metadata: {} });
  const h = chainHash(heads.get(e.s) ?? GENESIS_HASH, e.s, BigInt(e.r), content);
  heads.set(e.s, h);
  return { ...e, h };
}
