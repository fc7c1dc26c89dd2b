/**
 * The name of a `pg` query span, as the pg instrumentation names an unnamed
 * statement: `pg.query:<first word of the SQL, upper case> <database>`. The
 * instrumentation names a span after a prepared statement's name when there
 * is one, and the database adapter names its statements after a hash of
 * their text (`p1a2b…`), which says nothing in a trace; the name stays in
 * the span's `db.postgresql.plan` attribute.
 */
export function pgQuerySpanName(text: string, database: string | undefined): string {
  const command = /^\s*([^\s;(]+)/.exec(text)?.[1]?.toUpperCase() ?? 'unknown';
  return `pg.query:${command}${database ? ` ${database}` : ''}`;
}
