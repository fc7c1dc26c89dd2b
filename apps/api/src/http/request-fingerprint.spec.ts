import { requestFingerprint, stableStringify } from './request-fingerprint';

describe('stableStringify', () => {
  it('writes JSON with object keys sorted at every level', () => {
    expect(stableStringify({ b: 1, a: [{ d: 'x', c: null }, true], e: {} })).toBe(
      '{"a":[{"c":null,"d":"x"},true],"b":1,"e":{}}',
    );
    expect(stableStringify([])).toBe('[]');
    expect(stableStringify('a"b')).toBe('"a\\"b"');
    expect(stableStringify(null)).toBe('null');
  });

  it('agrees with JSON.stringify on values without objects to reorder', () => {
    const value = [1, 'two', [3, [4, [5]]], null, false, '\u2028'];
    expect(stableStringify(value)).toBe(JSON.stringify(value));
  });

  it('handles bodies nested far deeper than the call stack allows', () => {
    const depth = 50_000;
    let arrays: unknown = 'bottom';
    let objects: unknown = 1;
    for (let i = 0; i < depth; i++) {
      arrays = [arrays];
      objects = { k: objects };
    }
    expect(stableStringify(arrays)).toBe(`${'['.repeat(depth)}"bottom"${']'.repeat(depth)}`);
    expect(stableStringify(objects)).toBe(`${'{"k":'.repeat(depth)}1${'}'.repeat(depth)}`);
  });
});

describe('requestFingerprint', () => {
  it('is the same for the same request with keys in another order, and differs for another body', () => {
    const a = requestFingerprint({
      params: { id: 'w1' },
      body: { amountMinor: 5, currency: 'EUR' },
    });
    const b = requestFingerprint({
      params: { id: 'w1' },
      body: { currency: 'EUR', amountMinor: 5 },
    });
    const c = requestFingerprint({
      params: { id: 'w1' },
      body: { currency: 'EUR', amountMinor: 6 },
    });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});
