import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { canonicalJson, contentHash, sha256Hex } from './hash-chain';

/**
 * The definition written plainly: every stored event's hash was computed by
 * exactly this, so canonicalJson must agree with it byte for byte on anything
 * an event can carry.
 */
function reference(value: unknown): string {
  const plain = referencePlain(value);
  return plain === undefined ? 'null' : referenceWrite(plain);
}

function referencePlain(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    const toJSON = value.toJSON;
    if (typeof toJSON === 'function') return referencePlain(toJSON.call(value));
  }
  return value;
}

function referenceWrite(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => reference(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const item = referencePlain((value as Record<string, unknown>)[key]);
      if (item === undefined || typeof item === 'function') continue;
      parts.push(`${JSON.stringify(key)}:${referenceWrite(item)}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

/** Any UTF-16 code units, lone surrogates, quotes, backslashes and control characters included. */
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u2028', '\ud800', 'a'),
  }),
  fc.constantFrom('1', '10', '2', '__proto__', 'toJSON', ''),
);

/** What event data and metadata hold: JSON values, plus what JSON.stringify drops or converts. */
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value')),
    fc.dictionary(text, tie('value')),
  ),
}));

describe('canonicalJson', () => {
  it('agrees byte for byte with the plain definition', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it('sorts keys by UTF-16 code units, integer-like ones included', () => {
    expect(canonicalJson({ b: 1, '10': 2, '2': 3, a: { z: [], y: {} } })).toBe(
      '{"10":2,"2":3,"a":{"y":{},"z":[]},"b":1}',
    );
  });

  it('reads back as JSON.stringify writes the value, so it describes what the store keeps', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v) ?? 'null'));
      }),
      { numRuns: 500 },
    );
  });

  it('writes null in an array where JSON.stringify would, and drops such members of objects', () => {
    const dropped = [undefined, () => 1, Symbol('s')];
    expect(canonicalJson([...dropped, 1])).toBe('[null,null,null,1]');
    expect(canonicalJson({ a: dropped[0], b: dropped[1], c: dropped[2], d: 1 })).toBe('{"d":1}');
  });

  it('escapes lone surrogates and control characters as JSON.stringify does', () => {
    expect(canonicalJson({ '\ud800': '\u0000"\\', ok: 'é😀' })).toBe(
      '{"ok":"é😀","\\ud800":"\\u0000\\"\\\\"}',
    );
  });

  it('refuses a bigint, which JSON cannot hold', () => {
    expect(() => canonicalJson({ amount: 1n })).toThrow(TypeError);
  });
});

describe('contentHash', () => {
  it('is SHA-256 over the canonical text of id, type, data and metadata', () => {
    fc.assert(
      fc.property(fc.uuid(), text, value, value, (id, type, data, metadata) => {
        const expected = createHash('sha256')
          .update(reference({ data, id: id.toLowerCase(), metadata: metadata ?? {}, type }))
          .digest('hex');
        expect(contentHash({ id: id.toUpperCase(), type, data, metadata })).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('hashes UTF-8, as createHash does', () => {
    expect(sha256Hex('é😀')).toBe(createHash('sha256').update('é😀', 'utf8').digest('hex'));
  });
});
