import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, splitStatements } from './migrator';
import { databaseFactories } from '@ledger/testing';

describe('splitStatements', () => {
  it('keeps dollar-quoted bodies whole', () => {
    const sql = `CREATE TABLE a (x int);\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\n-- a comment;\nSELECT 1;`;
    expect(splitStatements(sql)).toHaveLength(3);
  });
});

describe.each(databaseFactories())('migrate on $name', (factory) => {
  it('applies each file once and refuses an edited file', async () => {
    const t = await factory.create({ migrate: false });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
      await writeFile(join(dir, '001_first.sql'), 'CREATE TABLE first_table (id int PRIMARY KEY);');
      expect(await migrate(t.db, dir)).toEqual(['001_first.sql']);
      expect(await migrate(t.db, dir)).toEqual([]);
      await t.db.query('INSERT INTO first_table VALUES (1)');
      // Correcting a comment is not an edit of what was applied.
      await writeFile(
        join(dir, '001_first.sql'),
        '-- The first table.\nCREATE TABLE first_table (id int PRIMARY KEY);',
      );
      expect(await migrate(t.db, dir)).toEqual([]);
      await writeFile(
        join(dir, '001_first.sql'),
        'CREATE TABLE first_table (id bigint PRIMARY KEY);',
      );
      await expect(migrate(t.db, dir)).rejects.toThrow(/edited after it was applied/);
    } finally {
      await t.drop();
    }
  });
});
