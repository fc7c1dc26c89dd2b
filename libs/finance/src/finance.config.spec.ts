import { ConfigError } from '@ledger/config';
import { readFinanceConfig } from './finance.config';
import { parseReconciliationPeriod } from './reconciliation/period-input';

describe('finance configuration', () => {
  it('has documented defaults and reads minor units as bigint', () => {
    expect(readFinanceConfig({})).toEqual({
      amountToleranceMinor: 0n,
      dateToleranceHours: 48,
      clearingDeadlineHours: 72,
      approvalThresholdMinor: 100_000n,
    });
    expect(
      readFinanceConfig({ FINANCE_APPROVAL_THRESHOLD_MINOR: '900719925474099312' })
        .approvalThresholdMinor,
    ).toBe(900_719_925_474_099_312n);
  });

  it('refuses a value that is not whole minor units, naming the variable', () => {
    expect(() => readFinanceConfig({ FINANCE_APPROVAL_THRESHOLD_MINOR: '10.5' })).toThrow(
      new ConfigError(
        'FINANCE_APPROVAL_THRESHOLD_MINOR must be a whole number of minor units, got "10.5"',
      ),
    );
    expect(() => readFinanceConfig({ FINANCE_CLEARING_DEADLINE_HOURS: '0' })).toThrow(
      /FINANCE_CLEARING_DEADLINE_HOURS/,
    );
  });
});

describe('a reconciliation period', () => {
  it('takes dates or date-times, from before to, at most 93 days', () => {
    expect(parseReconciliationPeriod('2026-11-01', '2026-12-01')).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
    expect(
      parseReconciliationPeriod('2026-11-01T10:00:00.5Z', '2026-11-02T00:00:00+01:00'),
    ).toEqual({
      from: new Date('2026-11-01T10:00:00.500Z'),
      to: new Date('2026-11-01T23:00:00Z'),
    });
    expect(parseReconciliationPeriod('2026-11-01', undefined)).toMatch(/required/);
    expect(parseReconciliationPeriod('yesterday', '2026-12-01')).toMatch(/^from is not/);
    expect(parseReconciliationPeriod('2026-12-01', '2026-12-01')).toBe('from must be before to');
    expect(parseReconciliationPeriod('2026-01-01', '2026-12-01')).toMatch(/at most 93 days/);
  });
});
