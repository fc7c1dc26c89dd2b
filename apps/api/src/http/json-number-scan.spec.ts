import { findNonIntegerNumber } from './json-number-scan';

describe('findNonIntegerNumber', () => {
  it('finds exponent and fractional literals with their key', () => {
    expect(findNonIntegerNumber('{"amountMinor": 1e3}')).toEqual({
      key: 'amountMinor',
      literal: '1e3',
    });
    expect(findNonIntegerNumber('{"a": "x", "amountMinor": 10.50}')).toEqual({
      key: 'amountMinor',
      literal: '10.50',
    });
    expect(findNonIntegerNumber('{"n": {"amountMinor": -2E-2}}')).toEqual({
      key: 'amountMinor',
      literal: '-2E-2',
    });
  });
  it('ignores integers and numbers inside strings', () => {
    expect(findNonIntegerNumber('{"amountMinor": 1050, "note": "1.5e3 \\" 2.0"}')).toBeUndefined();
    expect(findNonIntegerNumber('[1, -2, 30]')).toBeUndefined();
  });
});
