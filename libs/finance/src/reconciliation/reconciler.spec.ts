import type { ProviderReportItem } from '@ledger/payments';
import { breakId, reconcile, type ReconcileInput } from './reconciler';
import type { LedgerMovement, ReadModelMovement } from './reconciliation.types';

const from = new Date('2026-11-01T00:00:00Z');
const to = new Date('2026-12-01T00:00:00Z');
const now = new Date('2026-12-02T00:00:00Z');
const day = (d: number, h = 12) => new Date(Date.UTC(2026, 10, d, h));
const closing = (closingMinor: bigint) => ({ openingMinor: 0n, closingMinor });
const options = { amountToleranceMinor: 0n, dateToleranceHours: 48, clearingDeadlineHours: 72 };

function topUp(n: number, amount: bigint, extra: Partial<LedgerMovement> = {}): LedgerMovement {
  const movementId = `topup-${n}`;
  return {
    movementId,
    kind: 'top_up',
    rail: 'card',
    amountMinor: amount,
    currency: 'EUR',
    status: 'completed',
    requestedAt: day(n),
    objects: [
      {
        movementId,
        rail: 'card',
        type: 'charge',
        objectId: `pi_${n}`,
        amountMinor: amount,
        currency: 'EUR',
        recordedAt: day(n),
        state: 'settled',
      },
    ],
    ...extra,
  };
}

function charge(n: number, amount: bigint, extra: Partial<ProviderReportItem> = {}) {
  return {
    type: 'charge' as const,
    objectId: `pi_${n}`,
    amountMinor: amount,
    currency: 'EUR',
    occurredAt: day(n),
    status: 'succeeded',
    ...extra,
  };
}

function input(
  movements: LedgerMovement[],
  items: ProviderReportItem[],
  extra: Partial<ReconcileInput> = {},
): ReconcileInput {
  const readModel = new Map<string, ReadModelMovement>(
    movements.map((m) => [
      m.movementId,
      {
        movementId: m.movementId,
        status: m.status,
        amountMinor: m.amountMinor,
        currency: m.currency,
      },
    ]),
  );
  const settled = items.reduce((s, i) => s + i.amountMinor, 0n);
  return {
    from,
    to,
    now,
    options,
    rails: [
      { rail: 'card', provider: 'sandbox', report: { supported: true, items, truncated: false } },
    ],
    movements,
    truncated: false,
    readModel,
    clearingBalances: new Map([['system:card_clearing|EUR', closing(settled)]]),
    ...extra,
  };
}

describe('reconcile', () => {
  it('matches by object id, amount, currency and date, and the clearing account nets', () => {
    const report = reconcile(
      input(
        [topUp(3, 1_000n), topUp(4, 250n)],
        [charge(3, 1_000n), charge(4, 250n, { occurredAt: day(5) })],
        {
          clearingBalances: new Map([
            ['system:card_clearing|EUR', { openingMinor: 400n, closingMinor: 1_650n }],
          ]),
        },
      ),
    );
    expect(report.breaks).toEqual([]);
    expect(report.matched.map((m) => m.objectId)).toEqual(['pi_3', 'pi_4']);
    expect(report.clearing).toEqual([
      {
        account: 'system:card_clearing',
        currency: 'EUR',
        openingMinor: 400n,
        settledMinor: 1_250n,
        expectedMinor: 1_650n,
        actualMinor: 1_650n,
        differenceMinor: 0n,
      },
    ]);
  });

  it('names a planted difference on each side', () => {
    const movements = [topUp(3, 1_000n), topUp(4, 250n), topUp(5, 70n), topUp(6, 80n)];
    const items = [
      charge(3, 1_001n), // amount differs
      charge(4, 250n, { currency: 'USD' }), // currency differs
      charge(6, 80n, { occurredAt: day(10) }), // booked eight days later
      charge(9, 555n), // the ledger never recorded it
    ];
    const readModel = new Map(input(movements, items).readModel);
    readModel.delete('topup-3');
    readModel.set('topup-4', {
      movementId: 'topup-4',
      status: 'pending',
      amountMinor: 250n,
      currency: 'EUR',
    });
    const report = reconcile(
      input(movements, items, {
        readModel,
        clearingBalances: new Map([['system:card_clearing|EUR', closing(1_400n)]]),
      }),
    );
    const kinds = report.breaks.map((b) => [b.kind, b.objectId]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['amount_mismatch', 'pi_3'],
        ['currency_mismatch', 'pi_4'],
        ['missing_at_provider', 'pi_5'],
        ['date_mismatch', 'pi_6'],
        ['missing_in_ledger', 'pi_9'],
        ['missing_in_read_model', 'topup-3'],
        ['read_model_mismatch', 'topup-4'],
        ['clearing_mismatch', 'system:card_clearing'],
      ]),
    );
    // The USD charge settled into a clearing balance the ledger never moved: a second line.
    expect(
      report.breaks.filter((b) => b.kind === 'clearing_mismatch').map((b) => b.currency),
    ).toEqual(['EUR', 'USD']);
    expect(report.breaks).toHaveLength(9);
    expect(report.matched).toEqual([]);
    const amount = report.breaks.find((b) => b.kind === 'amount_mismatch')!;
    expect([amount.ledgerAmountMinor, amount.providerAmountMinor]).toEqual([1_000n, 1_001n]);
  });

  it('tolerates what the configuration allows', () => {
    const report = reconcile(
      input([topUp(3, 1_000n)], [charge(3, 1_002n, { occurredAt: day(4) })], {
        options: { ...options, amountToleranceMinor: 2n, dateToleranceHours: 24 },
        clearingBalances: new Map([['system:card_clearing|EUR', closing(1_002n)]]),
      }),
    );
    expect(report.breaks).toEqual([]);
    expect(report.matched).toHaveLength(1);
  });

  it('a payout in clearing past the deadline is a break; one within it is not', () => {
    const payout = (n: number, recordedAt: Date): LedgerMovement => ({
      movementId: `withdrawal-${n}`,
      kind: 'withdrawal',
      rail: 'card',
      amountMinor: 500n,
      currency: 'EUR',
      status: 'pending',
      requestedAt: recordedAt,
      objects: [
        {
          movementId: `withdrawal-${n}`,
          rail: 'card',
          type: 'payout',
          objectId: `po_${n}`,
          amountMinor: 500n,
          currency: 'EUR',
          recordedAt,
          state: 'pending',
        },
      ],
    });
    const items = [1, 2].map((n) => ({
      type: 'payout' as const,
      objectId: `po_${n}`,
      amountMinor: 500n,
      currency: 'EUR',
      occurredAt: n === 1 ? day(20) : day(30, 20),
      status: 'pending',
    }));
    const report = reconcile(
      input([payout(1, day(20)), payout(2, day(30, 20))], items, { clearingBalances: new Map() }),
    );
    expect(report.breaks.map((b) => [b.kind, b.objectId])).toEqual([['clearing_overdue', 'po_1']]);
  });

  it('a rail without a provider report is held against the ledger record and says so', () => {
    const mpesa = topUp(3, 900n, { rail: 'mpesa', currency: 'KES' });
    const report = reconcile(
      input(
        [
          {
            ...mpesa,
            objects: mpesa.objects.map((o) => ({ ...o, rail: 'mpesa' as const, currency: 'KES' })),
          },
        ],
        [],
        {
          rails: [
            {
              rail: 'mpesa',
              provider: 'mpesa',
              report: { supported: false, reason: 'no listing' },
            },
          ],
          clearingBalances: new Map([['system:card_clearing|KES', closing(900n)]]),
        },
      ),
    );
    expect(report.providers).toEqual([
      { provider: 'mpesa', rail: 'mpesa', report: 'not_supported', reason: 'no listing', items: 0 },
    ]);
    expect(report.breaks).toEqual([]);
  });

  it('derives break ids from the difference, so a rerun finds the same break', () => {
    expect(breakId('amount_mismatch', 'sandbox', 'pi_1', 'EUR')).toBe(
      breakId('amount_mismatch', 'sandbox', 'pi_1', 'EUR'),
    );
    expect(breakId('amount_mismatch', 'sandbox', 'pi_1', 'EUR')).not.toBe(
      breakId('currency_mismatch', 'sandbox', 'pi_1', 'EUR'),
    );
  });
});
