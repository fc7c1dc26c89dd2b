import { randomUUID } from 'node:crypto';

/**
 * Malformed values, written as raw JSON so that forms JSON.stringify cannot
 * produce (a fraction, a 30-digit integer, a lone surrogate)
 * are sent too. None of them is a valid value for any field of this API, so
 * with an otherwise valid body every one of them must be refused.
 */
export const BODY_FIELD_VARIANTS: readonly string[] = [
  'null',
  '-1',
  '1.5',
  '123456789012345678901234567890',
  '""',
  JSON.stringify('x'.repeat(3000)),
  JSON.stringify('9'.repeat(400)),
  '"\\u0000"',
  '"\\ud800"',
  '[]',
];

/** Query values: empty, wrong types, past every column range, badly escaped, repeated. */
export const QUERY_VARIANTS: readonly string[] = [
  '',
  'x',
  '-1',
  '1.5',
  '1e3',
  '9999999999999999999',
  '99999999999999999999.1',
  'a'.repeat(3000),
  '%00',
  '%',
];

/** Path segments: not ids, ids of nothing, escapes that decode to nothing sensible. */
export const PATH_VARIANTS: readonly string[] = [
  '%00',
  '%FF',
  '%',
  'not-a-uuid',
  '9'.repeat(300),
  randomUUID(),
  randomUUID().toUpperCase(),
  "'%20OR%201=1",
];

/** Header values a client can put on the wire; none is a usable key or code. */
export const HEADER_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  'idempotency-key': ['', ' ', 'x'.repeat(256), 'a b', '\u00e9', '\t'],
  'x-2fa-code': ['', 'abc', '0'.repeat(100), '12345', '%00'],
};

/** Whole-body problems, refused before a route sees the body. */
export interface BodyLevelVariant {
  readonly name: string;
  readonly body: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** Sent to every operation; the full list goes to one operation of each shape. */
export const CORE_BODY_LEVEL_VARIANTS = ['gzip', 'deep', 'not JSON'];

export const BODY_LEVEL_VARIANTS: readonly BodyLevelVariant[] = [
  { name: 'gzip', body: '{}', headers: { 'Content-Encoding': 'gzip' } },
  { name: 'br', body: '{}', headers: { 'Content-Encoding': 'br' } },
  { name: 'text/plain', body: 'a=1', headers: { 'Content-Type': 'text/plain' } },
  { name: 'form', body: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
  { name: 'latin1', body: '{}', headers: { 'Content-Type': 'application/json; charset=latin1' } },
  { name: 'not JSON', body: 'hello 1.5' },
  { name: 'truncated', body: '{"a":' },
  { name: 'array', body: '[]' },
  { name: 'null', body: 'null' },
  { name: 'string', body: '"x"' },
  { name: 'deep', body: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}` },
  { name: 'wide', body: `{"a":[${Array(4100).fill('0').join(',')}]}` },
  { name: '__proto__', body: '{"__proto__":{"admin":true}}' },
  { name: 'constructor', body: '{"constructor":{"prototype":{"admin":true}}}' },
  { name: 'oversize', body: `{"a":"${'x'.repeat(20_000)}"}` },
  { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) },
];
