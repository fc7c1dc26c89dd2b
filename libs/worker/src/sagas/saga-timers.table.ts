import type { SqlExecutor } from '@ledger/database';

/** A saga's durable timer (migrations/040_saga_timers.sql). */
export interface SagaTimer {
  readonly movementId: string;
  /** The timer job's name, e.g. `withdrawal.timeout`. */
  readonly name: string;
  readonly jobId: string;
  readonly dueAt: string;
}

/**
 * Makes the timer rows of the sagas `movementIds` match what each saga waits on now:
 * `timers` are the ones still needed (inserted if new; a deadline never
 * changes), every other row of those sagas is deleted. Two statements
 * whatever the number of sagas, so the driver's batch stays one short
 * transaction.
 */
export async function syncSagaTimers(
  db: SqlExecutor,
  movementIds: readonly string[],
  timers: readonly SagaTimer[],
): Promise<void> {
  if (movementIds.length === 0) return;
  // Movement ids and job names contain no space, so "stream name" is an unambiguous key.
  await db.query(
    `DELETE FROM saga_timers WHERE stream = ANY($1::text[]) AND (stream || ' ' || name) <> ALL($2::text[])`,
    [[...movementIds], timers.map((t) => `${t.movementId} ${t.name}`)],
  );
  if (timers.length === 0) return;
  await db.query(
    `INSERT INTO saga_timers (stream, name, job_id, due_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
     ON CONFLICT (stream, name) DO NOTHING`,
    [
      timers.map((t) => t.movementId),
      timers.map((t) => t.name),
      timers.map((t) => t.jobId),
      timers.map((t) => t.dueAt),
    ],
  );
}

/** Timers due at `now` and not fired yet, soonest first. */
export async function dueSagaTimers(
  db: SqlExecutor,
  now: Date,
  limit: number,
): Promise<SagaTimer[]> {
  const { rows } = await db.query<{
    stream: string;
    name: string;
    job_id: string;
    due_at: unknown;
  }>(
    `SELECT stream, name, job_id, due_at FROM saga_timers
     WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at, stream LIMIT $2`,
    [now.toISOString(), limit],
  );
  return rows.map((r) => ({
    movementId: r.stream,
    name: r.name,
    jobId: r.job_id,
    dueAt: new Date(r.due_at as string | Date).toISOString(),
  }));
}

export async function markSagaTimerFired(
  db: SqlExecutor,
  timer: Pick<SagaTimer, 'movementId' | 'name'>,
  now: Date,
): Promise<void> {
  await db.query('UPDATE saga_timers SET fired_at = $3 WHERE stream = $1 AND name = $2', [
    timer.movementId,
    timer.name,
    now.toISOString(),
  ]);
}

/** For operators and tests: one saga's timers. */
export async function sagaTimersOf(
  db: SqlExecutor,
  movementId: string,
): Promise<Array<SagaTimer & { firedAt?: string }>> {
  const { rows } = await db.query<{
    stream: string;
    name: string;
    job_id: string;
    due_at: unknown;
    fired_at: unknown;
  }>(
    'SELECT stream, name, job_id, due_at, fired_at FROM saga_timers WHERE stream = $1 ORDER BY name',
    [movementId],
  );
  return rows.map((r) => ({
    movementId: r.stream,
    name: r.name,
    jobId: r.job_id,
    dueAt: new Date(r.due_at as string | Date).toISOString(),
    ...(r.fired_at !== null && { firedAt: new Date(r.fired_at as string | Date).toISOString() }),
  }));
}

/** Deletes a timer its saga no longer waits on. */
export async function deleteSagaTimer(
  db: SqlExecutor,
  timer: Pick<SagaTimer, 'movementId' | 'name'>,
): Promise<void> {
  await db.query('DELETE FROM saga_timers WHERE stream = $1 AND name = $2', [
    timer.movementId,
    timer.name,
  ]);
}
