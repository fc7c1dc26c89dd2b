import { decide, evolve, initialWallet, availableOf, type Wallet } from './wallet.decider';
import type { WalletCommand } from './wallet.commands';
import type { WalletEvent } from './wallet.events';

/** Given events, when a command, then events or a rejection. */
function given(...events: WalletEvent[]) {
  const state = events.reduce<Wallet>(evolve, initialWallet);
  return {
    when: (command: WalletCommand) => ({
      then: (expected: WalletEvent[] | string) => expect(decide(command, state)).toEqual(expected),
      thenState: () => {
        const decision = decide(command, state);
        if (typeof decision === 'string') throw new Error(decision);
        return decision.reduce(evolve, state);
      },
    }),
  };
}

const at = '2026-01-01T00:00:00.000Z';
const opened: WalletEvent = {
  type: 'WalletOpened',
  data: { walletId: 'w1', ownerId: 'u1', currency: 'USD', at },
};
const movement = {
  currency: 'USD',
  contra: 'system:card_clearing' as const,
  kind: 'top_up' as const,
  at,
};
const credited = (amount: bigint, entryId = 'e1'): WalletEvent => ({
  type: 'WalletCredited',
  data: {
    entryId,
    amountMinor: amount,
    currency: 'USD',
    contra: 'system:card_clearing',
    kind: 'top_up',
    at,
  },
});
const held = (amount: bigint, holdId = 'h1'): WalletEvent => ({
  type: 'HoldPlaced',
  data: {
    holdId,
    amountMinor: amount,
    currency: 'USD',
    contra: 'system:payouts_clearing',
    kind: 'withdrawal',
    at,
  },
});

describe('wallet decider', () => {
  it('opens a wallet once', () => {
    given()
      .when({
        type: 'OpenWallet',
        commandId: 'c',
        at,
        walletId: 'w1',
        ownerId: 'u1',
        currency: 'USD',
      })
      .then([opened]);
    given(opened)
      .when({
        type: 'OpenWallet',
        commandId: 'c',
        at,
        walletId: 'w1',
        ownerId: 'u1',
        currency: 'USD',
      })
      .then('wallet_already_exists');
  });

  it('refuses an unknown currency', () => {
    given()
      .when({
        type: 'OpenWallet',
        commandId: 'c',
        at,
        walletId: 'w1',
        ownerId: 'u1',
        currency: 'XXX',
      })
      .then('unknown_currency');
  });

  it('refuses money commands on a wallet that does not exist', () => {
    given()
      .when({ type: 'Credit', commandId: 'c', entryId: 'e', amountMinor: 1n, ...movement })
      .then('wallet_not_found');
  });

  it('credits against a contra account', () => {
    given(opened)
      .when({ type: 'Credit', commandId: 'c', entryId: 'e1', amountMinor: 500n, ...movement })
      .then([credited(500n)]);
  });

  it('refuses a currency mismatch, a non-positive amount and a wallet as contra', () => {
    given(opened)
      .when({
        type: 'Credit',
        commandId: 'c',
        entryId: 'e',
        amountMinor: 5n,
        ...movement,
        currency: 'EUR',
      })
      .then('currency_mismatch');
    given(opened)
      .when({ type: 'Credit', commandId: 'c', entryId: 'e', amountMinor: 0n, ...movement })
      .then('amount_must_be_positive');
    given(opened)
      .when({
        type: 'Credit',
        commandId: 'c',
        entryId: 'e',
        amountMinor: 5n,
        ...movement,
        contra: 'wallet:w2',
      })
      .then('invalid_contra_account');
  });

  it('never debits beyond what is available, counting open holds', () => {
    const debit: WalletCommand = {
      type: 'Debit',
      commandId: 'c',
      entryId: 'e2',
      amountMinor: 301n,
      ...movement,
    };
    given(opened, credited(500n), held(200n)).when(debit).then('exceeds_available');
    const state = given(opened, credited(500n), held(200n))
      .when({ ...debit, amountMinor: 300n })
      .thenState();
    expect(state.status !== 'unopened' && availableOf(state)).toBe(0n);
  });

  it('captures a hold into a posting and resolves it exactly once', () => {
    const capture: WalletCommand = { type: 'CaptureHold', commandId: 'c', holdId: 'h1', at };
    const state = given(opened, credited(500n), held(200n)).when(capture).thenState();
    expect(state.status !== 'unopened' && [state.postedMinor, state.heldMinor]).toEqual([300n, 0n]);
    given(opened, credited(500n), held(200n), {
      type: 'HoldCaptured',
      data: (held(200n) as Extract<WalletEvent, { type: 'HoldPlaced' }>).data,
    })
      .when({ type: 'ReleaseHold', commandId: 'c2', holdId: 'h1', at })
      .then('hold_not_found');
  });

  it('refuses a second hold with the same id', () => {
    given(opened, credited(500n), held(100n))
      .when({ type: 'PlaceHold', commandId: 'c', holdId: 'h1', amountMinor: 1n, ...movement })
      .then('hold_id_in_use');
  });

  it('freezes new movements but lets holds in flight resolve', () => {
    const frozen: WalletEvent = { type: 'WalletFrozen', data: { reason: 'fraud review', at } };
    given(opened, credited(500n), frozen)
      .when({ type: 'Credit', commandId: 'c', entryId: 'e', amountMinor: 5n, ...movement })
      .then('wallet_frozen');
    given(opened, credited(500n), held(100n), frozen)
      .when({ type: 'ReleaseHold', commandId: 'c', holdId: 'h1', at })
      .then([
        { type: 'HoldReleased', data: { ...(held(100n).data as object), at } } as WalletEvent,
      ]);
  });

  it('closes only at zero with no open holds, and a closed wallet refuses everything', () => {
    given(opened, credited(1n))
      .when({ type: 'Close', commandId: 'c', at })
      .then('balance_not_zero');
    given(opened, credited(1n), held(1n))
      .when({ type: 'Close', commandId: 'c', at })
      .then('open_holds_remain');
    const closed: WalletEvent = { type: 'WalletClosed', data: { at } };
    given(opened).when({ type: 'Close', commandId: 'c', at }).then([closed]);
    given(opened, closed)
      .when({ type: 'Credit', commandId: 'c', entryId: 'e', amountMinor: 5n, ...movement })
      .then('wallet_closed');
  });
});
