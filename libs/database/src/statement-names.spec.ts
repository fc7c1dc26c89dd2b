import { isStaleStatement, StatementNames } from './statement-names';

describe('StatementNames', () => {
  it('names a parameterised text by its hash, the same every time and in every pool', () => {
    const names = new StatementNames();
    const name = names.nameOf('SELECT $1::int', [1]);
    expect(name).toMatch(/^p[0-9a-f]{16}$/);
    expect(names.nameOf('SELECT $1::int', [2])).toBe(name);
    expect(new StatementNames().nameOf('SELECT $1::int', [3])).toBe(name);
    expect(names.nameOf('SELECT $1::text', [1])).not.toBe(name);
  });

  it('leaves statements without parameters and multi-statement texts unnamed', () => {
    const names = new StatementNames();
    expect(names.nameOf('SELECT 1', undefined)).toBeUndefined();
    expect(names.nameOf('SELECT 1', [])).toBeUndefined();
    expect(names.nameOf('SELECT $1; SELECT 2', [1])).toBeUndefined();
    expect(names.nameOf('SELECT $1;\n', [1])).toMatch(/^p/);
    expect(names.size).toBe(1);
  });

  it('names at most `limit` texts', () => {
    const names = new StatementNames(2);
    expect(names.nameOf('SELECT $1 AS a', [1])).toBeDefined();
    expect(names.nameOf('SELECT $1 AS b', [1])).toBeDefined();
    expect(names.nameOf('SELECT $1 AS c', [1])).toBeUndefined();
    expect(names.nameOf('SELECT $1 AS a', [1])).toBeDefined();
    expect(names.size).toBe(2);
  });

  it('renames a stale name once however many connections report it, and gives up after three', () => {
    const names = new StatementNames();
    const text = 'SELECT $1::int';
    const first = names.nameOf(text, [1])!;
    names.retire(text, first);
    names.retire(text, first);
    expect(names.nameOf(text, [1])).toBe(`${first}_1`);
    names.retire(text, `${first}_1`);
    names.retire(text, `${first}_2`);
    expect(names.nameOf(text, [1])).toBe(`${first}_3`);
    names.retire(text, `${first}_3`);
    expect(names.nameOf(text, [1])).toBeUndefined();
  });
});

describe('isStaleStatement', () => {
  it('knows the errors of a named statement, not of the query', () => {
    expect(isStaleStatement({ code: '26000' })).toBe(true);
    expect(isStaleStatement({ code: '42P05' })).toBe(true);
    expect(isStaleStatement({ code: '0A000', routine: 'RevalidateCachedQuery' })).toBe(true);
    expect(isStaleStatement({ code: '0A000', routine: 'transformLockingClause' })).toBe(false);
    expect(isStaleStatement({ code: '23505' })).toBe(false);
    expect(isStaleStatement(new Error('connection lost'))).toBe(false);
    expect(isStaleStatement(undefined)).toBe(false);
  });
});
