import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  START,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type Position,
} from '@ledger/event-store';
import {
  decide,
  evolve,
  initialWallet,
  toEventData,
  walletStream,
  type AccountRef,
  type EntryKind,
  type Wallet,
  type WalletCommand,
  type WalletRejection,
} from '@ledger/ledger';

/**
 * Test support: writes valid wallet events the way the command path does
 * (decide on current state, append with the expected revision), keeping each
 * wallet's state in memory so tests can compare read models with it.
 */
export class WalletDriver {
  private readonly wallets = new Map<string, { wallet: Wallet; revision: ExpectedRevision }>();
  private clock = Date.parse('2025-01-01T00:00:00Z');
  private last: Position = START;

  constructor(private readonly store: EventStore) {}

  /** A fresh timestamp one second after the previous one, so history dates are predictable. */
  tick(): string {
    this.clock += 1_000;
    return new Date(this.clock).toISOString();
  }

  state(walletId: string): Wallet {
    return this.wallets.get(walletId)?.wallet ?? initialWallet;
  }

  async execute(walletId: string, command: WalletCommand): Promise<AppendResult | WalletRejection> {
    const current = this.wallets.get(walletId) ?? {
      wallet: initialWallet,
      revision: 'no_stream' as const,
    };
    const decision = decide(command, current.wallet);
    if (typeof decision === 'string') return decision;
    const events = decision.map((event, index) =>
      toEventData(walletId, event, command.commandId, index, {}),
    );
    const result = await this.store.append(walletStream(walletId), events, current.revision);
    this.wallets.set(walletId, {
      wallet: decision.reduce(evolve, current.wallet),
      revision: result.nextRevision,
    });
    if (comparePositions(result.position, this.last) > 0) this.last = result.position;
    return result;
  }

  /**
   * Resolves once readAll can return everything this driver appended. On a
   * shared Postgres server another session's open transaction holds the
   * visible head back (see SqlEventStore.readAll), so tests wait for it.
   */
  async settled(): Promise<Position> {
    await readable(this.store, this.last);
    return this.last;
  }

  /** Like execute, but a rejection is a test bug. */
  async must(walletId: string, command: WalletCommand): Promise<AppendResult> {
    const result = await this.execute(walletId, command);
    if (typeof result === 'string')
      throw new Error(`${command.type} on ${walletId} rejected: ${result}`);
    return result;
  }

  open(walletId: string, ownerId = 'owner-1', currency = 'USD'): Promise<AppendResult> {
    return this.must(walletId, { type: 'OpenWallet', walletId, ownerId, currency, ...this.base() });
  }

  credit(
    walletId: string,
    amountMinor: bigint,
    movement: Partial<MovementFields> = {},
  ): Promise<AppendResult> {
    return this.must(walletId, {
      type: 'Credit',
      entryId: randomUUID(),
      ...this.movement(walletId, amountMinor, movement),
      ...this.base(),
    });
  }

  debit(
    walletId: string,
    amountMinor: bigint,
    movement: Partial<MovementFields> = {},
  ): Promise<AppendResult> {
    return this.must(walletId, {
      type: 'Debit',
      entryId: randomUUID(),
      ...this.movement(walletId, amountMinor, movement),
      ...this.base(),
    });
  }

  hold(
    walletId: string,
    holdId: string,
    amountMinor: bigint,
    movement: Partial<MovementFields> = {},
  ): Promise<AppendResult> {
    return this.must(walletId, {
      type: 'PlaceHold',
      holdId,
      ...this.movement(walletId, amountMinor, movement),
      ...this.base(),
    });
  }

  base(): { commandId: string; at: string } {
    return { commandId: randomUUID(), at: this.tick() };
  }

  private movement(walletId: string, amountMinor: bigint, fields: Partial<MovementFields>) {
    const wallet = this.state(walletId);
    const currency = wallet.status === 'unopened' ? 'USD' : wallet.currency;
    return {
      amountMinor,
      currency,
      contra: 'system:card_clearing' as AccountRef,
      kind: 'top_up' as EntryKind,
      ...fields,
    };
  }
}

/** Waits (boundedly) until readAll can return the event at `position`. */
export async function readable(store: EventStore, position: Position): Promise<void> {
  for (let attempt = 0; attempt < 2_000; attempt++) {
    if (comparePositions(await store.headPosition(), position) >= 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('The appended events never became readable');
}

export interface MovementFields {
  readonly contra: AccountRef;
  readonly kind: EntryKind;
  readonly movementId: string;
  readonly description: string;
}
