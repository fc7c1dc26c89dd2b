import { readSagaDriverConfig } from './sagas.config';

describe('readSagaDriverConfig', () => {
  it('reconciles every minute, polls timers every second, checks payouts after an hour and waits 3 s past an inline lease unless configured', () => {
    expect(readSagaDriverConfig({})).toEqual({
      reconcileIntervalMs: 60_000,
      timerPollMs: 1_000,
      payoutCheckAfterMs: 3_600_000,
      leaseMarginMs: 3_000,
    });
    expect(
      readSagaDriverConfig({
        SAGA_RECONCILE_INTERVAL_MS: '5000',
        SAGA_TIMER_POLL_MS: '250',
        SAGA_PAYOUT_CHECK_AFTER_MS: '5000',
        SAGA_INLINE_LEASE_MARGIN_MS: '10000',
      }),
    ).toEqual({
      reconcileIntervalMs: 5_000,
      timerPollMs: 250,
      payoutCheckAfterMs: 5_000,
      leaseMarginMs: 10_000,
    });
  });

  it('refuses intervals that would spin or never come', () => {
    expect(() => readSagaDriverConfig({ SAGA_RECONCILE_INTERVAL_MS: '10' })).toThrow(
      /SAGA_RECONCILE_INTERVAL_MS must be between 1000 and 3600000/,
    );
    expect(() => readSagaDriverConfig({ SAGA_TIMER_POLL_MS: 'soon' })).toThrow(
      /SAGA_TIMER_POLL_MS must be a whole number/,
    );
    expect(() => readSagaDriverConfig({ SAGA_PAYOUT_CHECK_AFTER_MS: '0' })).toThrow(
      /SAGA_PAYOUT_CHECK_AFTER_MS must be between 1000 and 604800000/,
    );
    // Below the clock skew a host may have, the margin would not keep the driver off a live run.
    expect(() => readSagaDriverConfig({ SAGA_INLINE_LEASE_MARGIN_MS: '100' })).toThrow(
      /SAGA_INLINE_LEASE_MARGIN_MS must be between 1000 and 60000/,
    );
  });
});
