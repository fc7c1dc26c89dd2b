import { pgQuerySpanName } from './pg-span-name';

describe('pgQuerySpanName', () => {
  it('names the span after the statement, not the prepared statement', () => {
    expect(pgQuerySpanName('select es_append_batch($1::jsonb)', 'ledger')).toBe(
      'pg.query:SELECT ledger',
    );
    expect(pgQuerySpanName('\n   WITH d AS (SELECT 1) SELECT * FROM d', 'ledger')).toBe(
      'pg.query:WITH ledger',
    );
    expect(pgQuerySpanName('COMMIT;', undefined)).toBe('pg.query:COMMIT');
    expect(pgQuerySpanName('(SELECT $1)', 'ledger')).toBe('pg.query:unknown ledger');
  });
});
