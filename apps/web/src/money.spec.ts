import { exponentOf, formatMinor, parseAmount } from './money';

describe('money on screen', () => {
  it('places the decimal point by the currency exponent', () => {
    expect(exponentOf('EUR')).toBe(2);
    expect(exponentOf('JPY')).toBe(0);
    expect(exponentOf('BHD')).toBe(3);
    expect(formatMinor('1250', 'EUR', 'en-GB')).toBe('€12.50');
    expect(formatMinor('5', 'EUR', 'en-GB')).toBe('€0.05');
    expect(formatMinor('1250', 'JPY', 'en-GB')).toBe('JP¥1,250');
    expect(formatMinor('-1250', 'EUR', 'en-GB')).toBe('-€12.50');
  });

  it('groups digits by locale and stays exact beyond 2^53', () => {
    expect(formatMinor('123456789', 'EUR', 'de-DE')).toBe('1.234.567,89\u00a0€');
    expect(formatMinor('900719925474099312', 'USD', 'en-US')).toBe('$9,007,199,254,740,993.12');
  });

  it('reads typed amounts into minor units and names what is wrong', () => {
    expect(parseAmount('12.5', 'EUR')).toEqual({ ok: true, minor: 1250n });
    expect(parseAmount('12,50', 'EUR')).toEqual({ ok: true, minor: 1250n });
    expect(parseAmount('1 000', 'JPY')).toEqual({ ok: true, minor: 1000n });
    expect(parseAmount('12.345', 'EUR')).toEqual({
      ok: false,
      problem: 'EUR has 2 decimal places at most.',
    });
    expect(parseAmount('1.5', 'JPY')).toEqual({ ok: false, problem: 'JPY has no decimal places.' });
    expect(parseAmount('0', 'EUR')).toMatchObject({ ok: false });
    expect(parseAmount('1e3', 'EUR')).toMatchObject({ ok: false });
    expect(parseAmount('', 'EUR')).toEqual({ ok: false, problem: 'Enter an amount.' });
  });
});
