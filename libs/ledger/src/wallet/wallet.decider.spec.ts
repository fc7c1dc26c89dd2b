import { deciderSpec } from '@ledger/testing';
import { MAX_AMOUNT_MINOR } from '../money';
import { fromRecorded } from './wallet.codec';
import {
  decide,
  evolve,
  ImpossibleWalletEvent,
  initialWallet,
  availableOf,
} from './wallet.decider';
import type { WalletCommand } from './wallet.commands';
import type { WalletEvent } from './wallet.events';

/** Given events, when a command, then events or a rejection. */
const given = deciderSpec({ initialState: initialWallet, decide, evolve });

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
        amountMinor: MAX_AMOUNT_MINOR + 1n,
        ...movement,
      })
      .then('amount_exceeds_limit');
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

  describe('an event that cannot stand where it is', () => {
    const fold =
      (...events: WalletEvent[]) =>
      () =>
        given(...events).state;
    const captured = (amount: bigint, holdId = 'h1'): WalletEvent => {
      const placed = held(amount, holdId) as Extract<WalletEvent, { type: 'HoldPlaced' }>;
      return { type: 'HoldCaptured', data: placed.data };
    };

    it.each<[string, WalletEvent[], RegExp]>([
      ['a second opening', [opened, opened], /already open/],
      ['money before the opening', [credited(100n)], /never opened/],
      ['a hold placed twice', [opened, credited(500n), held(100n), held(100n)], /already placed/],
      ['a capture of a hold never placed', [opened, credited(500n), captured(100n)], /no hold h1/],
      [
        'a capture for another amount than held',
        [opened, credited(500n), held(100n), captured(90n)],
        /is 100, not 90/,
      ],
      [
        'money in another currency',
        [
          opened,
          {
            ...credited(100n),
            data: { ...(credited(100n).data as object), currency: 'EUR' },
          } as WalletEvent,
        ],
        /EUR in a USD wallet/,
      ],
    ])('throws on %s', (_case, events, message) => {
      expect(fold(...events)).toThrow(ImpossibleWalletEvent);
      expect(fold(...events)).toThrow(message);
    });

    it('still folds the same events in their place', () => {
      expect(fold(opened, credited(500n), held(100n), captured(100n))()).toMatchObject({
        postedMinor: 400n,
        heldMinor: 0n,
      });
    });
  });

  describe('decoding a stored event', () => {
    const stored = (data: Record<string, unknown>) => ({
      type: 'WalletCredited',
      data: {
        entryId: 'e1',
        amountMinor: '250',
        currency: 'USD',
        contra: 'system:card_clearing',
        kind: 'top_up',
        at,
        ...data,
      },
    });

    it('rebuilds a well-formed event', () => {
      expect(fromRecorded(stored({}))).toEqual(credited(250n));
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      ['a missing entry id', { entryId: undefined }, /entryId must be a non-empty string/],
      ['a numeric currency', { currency: 840 }, /currency must be a non-empty string/],
      ['a fractional amount', { amountMinor: '2.50' }, /Not an exact integer/],
      ['a zero amount', { amountMinor: '0' }, /amountMinor must be positive/],
      ['an unknown kind', { kind: 'gift' }, /unknown kind gift/],
      ['a description that is not text', { description: { a: 1 } }, /description must be a string/],
    ])('refuses %s', (_case, data, message) => {
      expect(() => fromRecorded(stored(data))).toThrow(message);
    });

    it('refuses a type a wallet stream cannot hold, and no data', () => {
      expect(() => fromRecorded({ type: 'PayoutPaid', data: {} })).toThrow(/Not a wallet event/);
      expect(() => fromRecorded({ type: 'WalletClosed', data: null as never })).toThrow(/no data/);
    });
  });
});
