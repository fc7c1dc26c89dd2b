import { must } from '@ledger/invariant';
import type { SqlExecutor } from '@ledger/database';

/** Sagas the driver could not advance, retried with backoff (migrations/037_saga_parking.sql). */
export interface ParkedSaga {
  readonly driver: string;
  readonly movementId: string;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string;
  readonly parkedAt: Date;
}

/**
 * Parks a saga or, when it is parked already, counts one more failed attempt.
 * `backoffMs` maps the attempt number (1 for the first failure) to the wait
 * before the next attempt.
 */
export async function parkSaga(
  db: SqlExecutor,
  driver: string,
  movementId: string,
  lastError: string,
  now: Date,
  backoffMs: (attempts: number) => number,
): Promise<number> {
  const { rows } = await db.query<{ attempts: unknown }>(
    `INSERT INTO saga_parking (driver, stream, attempts, next_attempt_at, last_error, parked_at)
     VALUES ($1, $2, 1, $3, $4, $5)
     ON CONFLICT (driver, stream) DO UPDATE SET attempts = saga_parking.attempts + 1, last_error = EXCLUDED.last_error
     RETURNING attempts`,
    [
      driver,
      movementId,
      new Date(now.getTime() + backoffMs(1)).toISOString(),
      lastError,
      now.toISOString(),
    ],
  );
  const attempts = Number(must(rows[0], 'parking row').attempts);
  if (attempts > 1)
    await db.query(
      'UPDATE saga_parking SET next_attempt_at = $3 WHERE driver = $1 AND stream = $2',
      [driver, movementId, new Date(now.getTime() + backoffMs(attempts)).toISOString()],
    );
  return attempts;
}

/** Unparks sagas that advanced. */
export async function unparkSagas(
  db: SqlExecutor,
  driver: string,
  movementIds: readonly string[],
): Promise<void> {
  if (movementIds.length === 0) return;
  await db.query('DELETE FROM saga_parking WHERE driver = $1 AND stream = ANY($2)', [
    driver,
    [...movementIds],
  ]);
}

/** Parked sagas due at `now` (all of them without `now`), soonest first. */
export async function dueParkedSagas(
  db: SqlExecutor,
  driver: string,
  now: Date | undefined,
  limit: number,
): Promise<string[]> {
  const { rows } = await db.query<{ stream: string }>(
    `SELECT stream FROM saga_parking WHERE driver = $1 AND ($2::timestamptz IS NULL OR next_attempt_at <= $2)
     ORDER BY next_attempt_at, stream LIMIT $3`,
    [driver, now?.toISOString() ?? null, limit],
  );
  return rows.map((r) => r.stream);
}

/** For operators: the parked sagas of one driver (all drivers without a name), oldest first. */
export async function listParkedSagas(
  db: SqlExecutor,
  driver?: string,
  limit = 100,
): Promise<ParkedSaga[]> {
  const { rows } = await db.query<{
    driver: string;
    stream: string;
    attempts: unknown;
    next_attempt_at: unknown;
    last_error: string;
    parked_at: unknown;
  }>(
    `SELECT driver, stream, attempts, next_attempt_at, last_error, parked_at FROM saga_parking
     WHERE $1::text IS NULL OR driver = $1 ORDER BY parked_at, stream LIMIT $2`,
    [driver ?? null, limit],
  );
  return rows.map((r) => ({
    driver: r.driver,
    movementId: r.stream,
    attempts: Number(r.attempts),
    nextAttemptAt: new Date(r.next_attempt_at as string | Date),
    lastError: r.last_error,
    parkedAt: new Date(r.parked_at as string | Date),
  }));
}

/** How many sagas one driver has parked. */
export async function countParkedSagas(db: SqlExecutor, driver: string): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(
    'SELECT count(*) AS n FROM saga_parking WHERE driver = $1',
    [driver],
  );
  return Number(must(rows[0], 'count row').n);
}

/**
 * What is kept of an error in `saga_parking.last_error`: its name and message,
 * with anything looking like an email address or a long number (a phone, a
 * card) masked, cut to 300 characters. The full error goes to the log only.
 */
export function describeError(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name}: ${error.message}` : `Thrown: ${String(error)}`;
  return text
    .replace(/[^\s@]+@[^\s@]+/g, '<email>')
    .replace(/\+?\d[\d ()-]{7,}\d/g, '<number>')
    .slice(0, 300);
}
