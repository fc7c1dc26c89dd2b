import type { SqlExecutor } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';
import type { BreakKind, ReconciliationBreak } from './reconciliation.types';

export type BreakStatus = 'open' | 'explained' | 'resolved';
export const BREAK_STATUSES: readonly BreakStatus[] = ['open', 'explained', 'resolved'];

export interface StoredBreak extends ReconciliationBreak {
  readonly status: BreakStatus;
  readonly note: string | null;
  readonly resolvedByAdjustment: string | null;
  readonly changedBy: string | null;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

export const MAX_BREAKS_PER_PAGE = 200;
const BREAKS_PER_STATEMENT = 500;

/**
 * Records what a run found. A break seen before keeps its status, note and
 * first sighting; only its amounts, detail and last sighting follow the
 * newest run, so an explained break stays explained while it persists.
 */
export async function recordBreaks(
  db: SqlExecutor,
  breaks: readonly ReconciliationBreak[],
): Promise<void> {
  for (let i = 0; i < breaks.length; i += BREAKS_PER_STATEMENT) {
    const rows = breaks.slice(i, i + BREAKS_PER_STATEMENT).map((b) => ({
      id: b.id,
      kind: b.kind,
      provider: b.provider,
      object_id: b.objectId,
      currency: b.currency ?? null,
      ledger: b.ledgerAmountMinor?.toString() ?? null,
      provider_amount: b.providerAmountMinor?.toString() ?? null,
      detail: b.detail,
    }));
    await db.query(
      `INSERT INTO reconciliation_breaks
         (id, kind, provider, object_id, currency, ledger_amount_minor, provider_amount_minor, detail)
       SELECT id, kind, provider, object_id, currency, ledger::bigint, provider_amount::bigint, detail
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, provider text, object_id text,
              currency text, ledger text, provider_amount text, detail text)
       ON CONFLICT (id) DO UPDATE SET ledger_amount_minor = excluded.ledger_amount_minor,
         provider_amount_minor = excluded.provider_amount_minor, detail = excluded.detail,
         last_seen_at = now()`,
      [JSON.stringify(rows)],
    );
  }
}

/** The stored status of each of these breaks (those never stored are absent). */
export async function breakStatuses(
  db: SqlExecutor,
  ids: readonly string[],
): Promise<Map<string, BreakStatus>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; status: BreakStatus }>(
    'SELECT id, status FROM reconciliation_breaks WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}

interface BreakRow {
  id: string;
  kind: BreakKind;
  provider: string;
  object_id: string;
  currency: string | null;
  ledger_amount_minor: unknown;
  provider_amount_minor: unknown;
  detail: string;
  status: BreakStatus;
  note: string | null;
  resolved_by_adjustment: string | null;
  changed_by: string | null;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
}

const COLUMNS = `id, kind, provider, object_id, currency, ledger_amount_minor, provider_amount_minor,
  detail, status, note, resolved_by_adjustment, changed_by, first_seen_at, last_seen_at`;

/** In id order (keyset); `after` is the nextCursor of the previous page. */
export async function listBreaks(
  db: SqlExecutor,
  query: { status?: BreakStatus; after?: string; limit: number },
): Promise<{ items: StoredBreak[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(query.limit, 1), MAX_BREAKS_PER_PAGE);
  const { rows } = await db.query<BreakRow>(
    `SELECT ${COLUMNS} FROM reconciliation_breaks
      WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR id > $2)
      ORDER BY id LIMIT $3`,
    [query.status ?? null, query.after ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map(toStoredBreak);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}

export async function getBreak(db: SqlExecutor, id: string): Promise<StoredBreak | undefined> {
  const { rows } = await db.query<BreakRow>(
    `SELECT ${COLUMNS} FROM reconciliation_breaks WHERE id = $1`,
    [id],
  );
  return rows[0] && toStoredBreak(rows[0]);
}

/**
 * Moves a break on: open → explained (a note says why it is no error) and
 * open or explained → resolved (an adjustment that references it corrected
 * it). A resolved break stays resolved. Returns the break after the change,
 * or undefined when the status did not allow it.
 */
export async function changeBreak(
  db: SqlExecutor,
  id: string,
  change:
    | { status: 'explained'; note: string; by: string }
    | { status: 'resolved'; note: string; by: string; adjustmentId: string },
): Promise<StoredBreak | undefined> {
  const { rows } = await db.query<BreakRow>(
    `UPDATE reconciliation_breaks
        SET status = $2, note = $3, changed_by = $4, resolved_by_adjustment = $5, updated_at = now()
      WHERE id = $1 AND status <> 'resolved' AND ($2 = 'resolved' OR status = 'open')
      RETURNING ${COLUMNS}`,
    [
      id,
      change.status,
      change.note,
      change.by,
      'adjustmentId' in change ? change.adjustmentId : null,
    ],
  );
  return rows[0] && toStoredBreak(rows[0]);
}

function toStoredBreak(r: BreakRow): StoredBreak {
  return {
    id: r.id,
    kind: r.kind,
    provider: r.provider,
    objectId: r.object_id,
    ...(r.currency !== null && { currency: r.currency }),
    ...(r.ledger_amount_minor !== null && { ledgerAmountMinor: toBigInt(r.ledger_amount_minor) }),
    ...(r.provider_amount_minor !== null && {
      providerAmountMinor: toBigInt(r.provider_amount_minor),
    }),
    detail: r.detail,
    status: r.status,
    note: r.note,
    resolvedByAdjustment: r.resolved_by_adjustment,
    changedBy: r.changed_by,
    firstSeenAt: new Date(r.first_seen_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
  };
}
