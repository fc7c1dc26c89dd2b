import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { SqlDatabase } from './sql-database.port';

/** The repository's `migrations/` folder, found from both `libs/…/src` and `dist/libs/…/src`. */
export const MIGRATIONS_DIR = join(
  __dirname,
  __dirname.includes('/dist/') ? '../../../../migrations' : '../../../migrations',
);

const FILE_PATTERN = /^(\d{3})_[a-z0-9_]+\.sql$/;

/**
 * Applies numbered SQL files (`001_name.sql`, …) in order, each in its own
 * transaction, recording each in `schema_migrations`. Forward only: a file
 * that was applied is never run again, and editing its statements afterwards
 * is an error caught by comparing its checksum. The checksum leaves out
 * whole-line `--` comments, so a migration's explanation can be corrected;
 * a file applied under the older whole-file checksum is still recognised, as
 * it is now or as it was before its comments were corrected.
 */
export async function migrate(db: SqlDatabase, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const files = (await readdir(dir)).filter((f) => FILE_PATTERN.test(f)).sort();
  const { rows } = await db.query<{ version: string; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations',
  );
  const applied = new Map(rows.map((r) => [r.version, r.checksum]));
  const ran: string[] = [];
  for (const file of files) {
    const sql = await readFile(join(dir, file), 'utf8');
    const checksum = sha256(withoutCommentLines(sql));
    const previous = applied.get(file);
    if (previous !== undefined) {
      const known = [checksum, sha256(sql), BEFORE_COMMENT_CORRECTIONS[file]];
      if (!known.includes(previous))
        throw new Error(`Migration ${file} was edited after it was applied`);
      continue;
    }
    await db.transaction(async (tx) => {
      // A migration may rewrite a large table or wait for another process's
      // migration lock; the connection's statement timeout is for requests.
      await tx.query('SET LOCAL statement_timeout = 0');
      // Two processes starting together must not both run a migration.
      await tx.query('SELECT pg_advisory_xact_lock(7263541)');
      const again = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [file]);
      if (again.rowCount > 0) return;
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)', [
        file,
        checksum,
      ]);
    });
    ran.push(file);
  }
  return ran;
}

/** Whole-file checksums of migrations as applied before their comments were corrected. */
const BEFORE_COMMENT_CORRECTIONS: Readonly<Record<string, string>> = {
  '001_event_store.sql': 'fcfdd5af1189d609c714d8d374770c66e6360d9595c5da2ac09c57d9eb172637',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The statements of a migration as its checksum sees them: whole-line comments dropped. */
function withoutCommentLines(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
}

/**
 * Splits a migration into statements so each can run through the extended
 * protocol inside a transaction. Dollar-quoted bodies ($$ … $$) are kept whole.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    if (!inDollar && line.trim().startsWith('--')) continue;
    const dollars = (line.match(/\$\$/g) ?? []).length;
    if (dollars % 2 === 1) inDollar = !inDollar;
    current += line + '\n';
    if (!inDollar && line.trimEnd().endsWith(';')) {
      if (current.trim() !== ';') statements.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
