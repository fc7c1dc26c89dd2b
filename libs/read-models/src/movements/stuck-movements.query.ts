import type { SqlExecutor } from '@ledger/database';
import { decodeCursor, pageSize, toPage, type Page, type PageProblem } from '../paging';

/**
 * A movement an operator should look at: one the saga driver could not
 * advance (parked in `saga_parking`, with its last error and next retry), or
 * one still pending long after it was requested (waiting on a provider, a
 * report, or a deadline in `saga_timers`).
 */
export interface StuckMovement {
  readonly movementId: string;
  readonly kind: 'transfer' | 'top_up' | 'withdrawal';
  readonly phase: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly requestedAt: string;
  readonly updatedAt: string;
  readonly parked?: {
    readonly attempts: number;
    /** The error's name and message as the driver recorded it (addresses and long numbers masked). */
    readonly lastError: string;
    readonly parkedAt: string;
    readonly nextAttemptAt: string;
  };
  /** The soonest deadline the saga waits on (a timeout, or a provider check), if any. */
  readonly nextDeadline?: { readonly job: string; readonly dueAt: string };
}

export interface StuckMovementQuery {
  /** Pending movements requested before this count; parked ones count whatever their age. */
  readonly requestedBefore: Date;
  /** Only parked movements. */
  readonly parkedOnly?: boolean;
  readonly cursor?: string;
  readonly limit?: number;
}

const CURSOR_TAG = 'stuck-movements';
/** Postgres's text form of a timestamptz, as the cursor carries it. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)?$/;
const KINDS: Readonly<Record<string, StuckMovement['kind']>> = {
  transfer: 'transfer',
  topup: 'top_up',
  withdrawal: 'withdrawal',
};

interface Row {
  movement_id: string;
  kind: string;
  phase: string;
  amount_minor: string;
  currency: string;
  requested_at: unknown;
  /** The database's own text of requested_at: exact to the microsecond, for the cursor. */
  requested_key: string;
  updated_at: unknown;
  attempts: number | null;
  last_error: string | null;
  parked_at: unknown;
  next_attempt_at: unknown;
  timer_name: string | null;
  timer_due_at: unknown;
}

/**
 * Pending movements that are parked or older than `requestedBefore`, oldest
 * first, in keyset pages. One statement per page whatever the number of
 * sagas: parking and the next timer are joined, not looked up per row.
 */
export async function listStuckMovements(
  db: SqlExecutor,
  query: StuckMovementQuery,
): Promise<Page<StuckMovement> | PageProblem> {
  const limit = pageSize(query.limit);
  if (typeof limit === 'string') return limit;
  let after: [string | null, string | null] = [null, null];
  if (query.cursor !== undefined) {
    const [at, movementId] = decodeCursor(CURSOR_TAG, query.cursor, 2) ?? [];
    if (at === undefined || movementId === undefined || !TIMESTAMP.test(at))
      return 'invalid_cursor';
    after = [at, movementId];
  }
  const { rows } = await db.query<Row>(
    `SELECT m.movement_id, m.kind, m.phase, m.amount_minor::text AS amount_minor, m.currency,
            m.requested_at, m.requested_at::text AS requested_key, m.updated_at,
            p.attempts, p.last_error, p.parked_at, p.next_attempt_at,
            t.name AS timer_name, t.due_at AS timer_due_at
       FROM movements m
       LEFT JOIN LATERAL (
         SELECT attempts, last_error, parked_at, next_attempt_at FROM saga_parking
          WHERE stream = m.movement_id ORDER BY parked_at LIMIT 1
       ) p ON true
       LEFT JOIN LATERAL (
         SELECT name, due_at FROM saga_timers
          WHERE stream = m.movement_id AND fired_at IS NULL ORDER BY due_at LIMIT 1
       ) t ON true
      WHERE m.status = 'pending'
        AND (p.attempts IS NOT NULL OR (NOT $1::boolean AND m.requested_at < $2::timestamptz))
        AND ($3::timestamptz IS NULL OR (m.requested_at, m.movement_id) > ($3::timestamptz, $4::text))
      ORDER BY m.requested_at, m.movement_id
      LIMIT $5`,
    [query.parkedOnly ?? false, query.requestedBefore.toISOString(), after[0], after[1], limit + 1],
  );
  return toPage(rows, limit, toStuckMovement, (r) => [r.requested_key, r.movement_id], CURSOR_TAG);
}

function toStuckMovement(r: Row): StuckMovement {
  return {
    movementId: r.movement_id,
    kind: KINDS[r.kind] ?? 'transfer',
    phase: r.phase,
    amountMinor: BigInt(r.amount_minor),
    currency: r.currency,
    requestedAt: iso(r.requested_at),
    updatedAt: iso(r.updated_at),
    ...(r.attempts !== null && {
      parked: {
        attempts: Number(r.attempts),
        lastError: r.last_error ?? '',
        parkedAt: iso(r.parked_at),
        nextAttemptAt: iso(r.next_attempt_at),
      },
    }),
    ...(r.timer_name !== null && {
      nextDeadline: { job: r.timer_name, dueAt: iso(r.timer_due_at) },
    }),
  };
}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
