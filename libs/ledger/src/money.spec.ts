import fc from 'fast-check';
import {
  formatMinor,
  formatMoney,
  isFormatLocale,
  MAX_AMOUNT_MINOR,
  parseAmountMinor,
  parseMajor,
  toBigInt,
} from './money';

describe('parseAmountMinor', () => {
  it.each([
    [1, 1n],
    ['1', 1n],
    ['000123', 123n],
    [
      Number.MAX_SAFE_INTEGER,
      BigInt(Number.MAX_SAFE_INTEGER) > MAX_AMOUNT_MINOR
        ? 'amount_exceeds_limit'
        : BigInt(Number.MAX_SAFE_INTEGER),
    ],
    [MAX_AMOUNT_MINOR.toString(), MAX_AMOUNT_MINOR],
  ])('accepts %p', (input, expected) => {
    expect(parseAmountMinor(input)).toBe(expected);
  });

  it.each([
    [undefined, 'amount_required'],
    ['', 'amount_required'],
    [1.5, 'amount_must_be_integer_minor_units'],
    ['1.50', 'amount_must_be_integer_minor_units'],
    ['1e3', 'amount_must_be_integer_minor_units'],
    [1e21, 'amount_must_be_integer_minor_units'],
    ['-5', 'amount_must_be_integer_minor_units'],
    [-5, 'amount_must_be_positive'],
    [0, 'amount_must_be_positive'],
    ['0', 'amount_must_be_positive'],
    [(MAX_AMOUNT_MINOR + 1n).toString(), 'amount_exceeds_limit'],
    ['99999999999999999999', 'amount_must_be_integer_minor_units'],
    [true, 'amount_must_be_integer_minor_units'],
    [{}, 'amount_must_be_integer_minor_units'],
    [' 12', 'amount_must_be_integer_minor_units'],
  ])('refuses %p as %s', (input, problem) => {
    expect(parseAmountMinor(input)).toBe(problem);
  });

  it('round-trips every valid amount through its decimal string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_AMOUNT_MINOR }), (amount) => {
        expect(parseAmountMinor(amount.toString())).toBe(amount);
      }),
    );
  });
});

describe('toBigInt', () => {
  it("reads both drivers' int8 shapes exactly", () => {
    expect(toBigInt('9223372036854775807')).toBe(9223372036854775807n);
    expect(toBigInt(42)).toBe(42n);
    expect(toBigInt(-7n)).toBe(-7n);
  });
  it('refuses numbers that have already lost precision', () => {
    expect(() => toBigInt(2 ** 60)).toThrow(TypeError);
    expect(() => toBigInt(1.5)).toThrow(TypeError);
    expect(() => toBigInt('12a')).toThrow(TypeError);
  });
});

describe('formatMinor and parseMajor', () => {
  it('use the currency exponent', () => {
    expect(formatMinor(1234n, 'USD')).toBe('12.34');
    expect(formatMinor(5n, 'USD')).toBe('0.05');
    expect(formatMinor(1234n, 'JPY')).toBe('1234');
    expect(formatMinor(1234n, 'KWD')).toBe('1.234');
    expect(formatMinor(-1n, 'EUR')).toBe('-0.01');
    expect(parseMajor('12.3', 'USD')).toBe(1230n);
    expect(parseMajor('12.345', 'USD')).toBeUndefined();
    expect(parseMajor('12.5', 'JPY')).toBeUndefined();
  });

  it('are inverse for every amount and currency', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR }),
        fc.constantFrom('USD', 'JPY', 'KWD'),
        (amount, currency) => {
          expect(parseMajor(formatMinor(amount, currency), currency)).toBe(amount);
        },
      ),
    );
  });
});

describe('formatMoney', () => {
  it('formats exactly, in the currency exponent, whatever the size', () => {
    expect(formatMoney(-2500n, 'EUR', 'en-GB')).toBe('-€25.00');
    expect(formatMoney(1234n, 'JPY', 'en-GB')).toBe('JP¥1,234');
    expect(formatMoney(1234n, 'KWD', 'en-GB')).toBe('KWD\u00a01.234');
    expect(formatMoney(123456789012345678n, 'EUR', 'de-DE')).toBe(
      '1.234.567.890.123.456,78\u00a0€',
    );
  });

  it('knows which locales it can format in', () => {
    expect(isFormatLocale('en-GB')).toBe(true);
    expect(isFormatLocale('not a locale')).toBe(false);
  });
});
