import { checkJsonText, findBadMember, MAX_JSON_DEPTH, MAX_JSON_MEMBERS } from './json-shape';

describe('checkJsonText', () => {
  it('refuses nesting beyond the limit without recursion, and accepts it at the limit', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(checkJsonText(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(checkJsonText(nested(MAX_JSON_DEPTH + 1))).toEqual({ kind: 'too_deep' });
    expect(checkJsonText(nested(100_000))).toEqual({ kind: 'too_deep' });
  });
  it('does not count brackets inside strings', () => {
    expect(checkJsonText(JSON.stringify({ a: '['.repeat(100) + '\\"' }))).toBeUndefined();
  });
  it('refuses more members than the limit', () => {
    const members = (n: number) => `[${Array(n).fill('0').join(',')}]`;
    expect(checkJsonText(members(MAX_JSON_MEMBERS))).toBeUndefined();
    expect(checkJsonText(members(MAX_JSON_MEMBERS * 2 + 2))).toEqual({
      kind: 'too_many_members',
    });
  });
});

describe('findBadMember', () => {
  it('finds prototype-naming keys at any depth, however they were escaped', () => {
    expect(findBadMember(JSON.parse('{"a":{"__pr\\u006fto__":1}}'))).toEqual({
      kind: 'forbidden_key',
      field: '__proto__',
    });
    expect(findBadMember({ a: [{ constructor: 1 }] })).toEqual({
      kind: 'forbidden_key',
      field: 'constructor',
    });
  });
  it('finds NUL characters and unpaired surrogates, naming the field', () => {
    expect(findBadMember({ a: { b: 'x\u0000' } })).toEqual({ kind: 'bad_text', field: 'a.b' });
    expect(findBadMember({ name: '\ud800' })).toEqual({ kind: 'bad_text', field: 'name' });
    expect(findBadMember({ name: '\udc00x' })).toEqual({ kind: 'bad_text', field: 'name' });
  });
  it('accepts ordinary text, including characters outside the basic plane', () => {
    expect(findBadMember({ name: 'Zoë 😀', tags: ['a', 'b'], n: 1, none: null })).toBeUndefined();
  });
});
