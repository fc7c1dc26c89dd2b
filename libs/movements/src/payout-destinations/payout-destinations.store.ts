import { must } from '@ledger/invariant';
import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';

export interface PayoutDestination {
  readonly id: string;
  readonly type: 'bank_account' | 'connected_account';
  readonly providerRef: string;
  readonly label: string;
  readonly createdAt: string;
}

/** A user links a few bank accounts; more is abuse or a bug. */
export const MAX_DESTINATIONS_PER_USER = 10;

interface Row {
  destination_id: string;
  type: PayoutDestination['type'];
  provider_ref: string;
  label: string;
  created_at: Date | string;
}

/** Linked payout destinations (migrations/036_payout_destinations.sql). */
@Injectable()
export class PayoutDestinationsStore {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Links a destination under a caller-chosen id (derived from the request's idempotency key). */
  async add(
    userId: string,
    id: string,
    input: Omit<PayoutDestination, 'id' | 'createdAt'>,
  ): Promise<PayoutDestination | 'payout_destination_exists' | 'too_many_payout_destinations'> {
    return this.db.transaction(async (tx) => {
      // Serialise one user's links so the limit holds under concurrent requests.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `payout-destinations:${userId}`,
      ]);
      const existing = await tx.query<Row>(
        'SELECT * FROM payout_destinations WHERE destination_id = $1 AND user_id = $2',
        [id, userId],
      );
      if (existing.rows[0]) return toDestination(existing.rows[0]);
      const live = await tx.query<{ provider_ref: string }>(
        'SELECT provider_ref FROM payout_destinations WHERE user_id = $1 AND removed_at IS NULL',
        [userId],
      );
      if (live.rows.some((r) => r.provider_ref === input.providerRef))
        return 'payout_destination_exists';
      if (live.rows.length >= MAX_DESTINATIONS_PER_USER) return 'too_many_payout_destinations';
      const { rows } = await tx.query<Row>(
        `INSERT INTO payout_destinations (destination_id, user_id, type, provider_ref, label) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [id, userId, input.type, input.providerRef, input.label],
      );
      return toDestination(must(rows[0], 'inserted payout destination row'));
    });
  }

  async list(userId: string): Promise<PayoutDestination[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM payout_destinations WHERE user_id = $1 AND removed_at IS NULL ORDER BY created_at, destination_id LIMIT $2`,
      [userId, MAX_DESTINATIONS_PER_USER],
    );
    return rows.map(toDestination);
  }

  async find(userId: string, id: string): Promise<PayoutDestination | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM payout_destinations WHERE destination_id = $1 AND user_id = $2 AND removed_at IS NULL',
      [id, userId],
    );
    return rows[0] && toDestination(rows[0]);
  }

  /** Unlinks; true when a live destination was removed. Withdrawals already under way keep their destination. */
  async remove(userId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE payout_destinations SET removed_at = now() WHERE destination_id = $1 AND user_id = $2 AND removed_at IS NULL',
      [id, userId],
    );
    return rowCount === 1;
  }
}

function toDestination(row: Row): PayoutDestination {
  return {
    id: row.destination_id,
    type: row.type,
    providerRef: row.provider_ref,
    label: row.label,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
