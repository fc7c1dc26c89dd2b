import { ConfiguredRateProvider, convertMinor, FxTableError, parseRateTable } from './fx-rate';

describe('FX conversion', () => {
  it('converts exactly with bigint arithmetic across exponents', () => {
    expect(convertMinor(1_000n, 'USD', 'EUR', '0.92')).toBe(920n);
    expect(convertMinor(1_000n, 'USD', 'JPY', '150.5')).toBe(1_505n);
    expect(convertMinor(1_505n, 'JPY', 'USD', '0.0066445')).toBe(999n);
    expect(convertMinor(1_000n, 'USD', 'KWD', '0.307')).toBe(3_070n);
  });

  it('rounds down to a whole minor unit', () => {
    // 0.01 USD at 0.92 is 0.0092 EUR: less than a cent, so nothing.
    expect(convertMinor(1n, 'USD', 'EUR', '0.92')).toBe(0n);
    expect(convertMinor(999n, 'USD', 'EUR', '0.92')).toBe(919n); // 919.08
  });

  it('stays exact where a float would not', () => {
    const amount = 999_999_999_999_999n;
    expect(convertMinor(amount, 'USD', 'EUR', '1.000000000001')).toBe(1_000_000_000_000_998n);
  });

  it('refuses a rate that is not a positive decimal', () => {
    for (const rate of ['0', '0.000', '-1', '1e3', '1.1234567890123', 'abc']) {
      expect(() => convertMinor(1n, 'USD', 'EUR', rate)).toThrow(RangeError);
    }
  });
});

describe('configured rate table', () => {
  it('reads each direction on its own', async () => {
    const provider = new ConfiguredRateProvider('USD/EUR=0.92, EUR/USD=1.08');
    await expect(provider.quote('USD', 'EUR')).resolves.toEqual({
      from: 'USD',
      to: 'EUR',
      rate: '0.92',
      source: 'configured',
    });
    await expect(provider.quote('EUR', 'GBP')).resolves.toBeUndefined();
  });

  it.each(['USD-EUR=0.92', 'USD/XXX=1', 'USD/USD=1', 'USD/EUR=0', 'USD/EUR=1,5'])(
    'refuses %s at start-up',
    (text) => {
      expect(() => parseRateTable(text)).toThrow(FxTableError);
    },
  );
});
