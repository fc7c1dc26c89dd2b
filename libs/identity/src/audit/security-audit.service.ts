import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { securityStream, type SecurityEvent, type SecurityEventType } from './security-event';

export interface RecordedSecurityEvent {
  readonly id: string;
  readonly cursor: string;
  readonly userId: string | null;
  readonly type: SecurityEventType;
  readonly data: Record<string, unknown>;
  readonly occurredAt: string;
}

export interface SecurityEventQuery {
  readonly userId?: string;
  readonly type?: SecurityEventType;
  /** Return events older than this cursor (newest first). */
  readonly before?: string;
  readonly limit: number;
}

export const MAX_SECURITY_EVENTS_PAGE = 100;

/**
 * Appends security events to the event store, the trail of record, and copies
 * each into `identity_security_events` for querying. The store append comes
 * first with the same event id as the row, so a crash between the two leaves
 * the record complete and only the copy short. Recording is awaited: an
 * action whose audit event cannot be written fails rather than goes unseen.
 */
@Injectable()
export class SecurityAuditService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
  ) {}

  async record(event: SecurityEvent, correlationId?: string): Promise<void> {
    const id = randomUUID();
    const userId = event.userId ?? null;
    await this.store.append(
      securityStream(event.userId),
      [
        {
          id,
          type: event.type,
          data: { userId, ...event.data },
          metadata: correlationId ? { correlationId } : {},
        },
      ],
      'any',
    );
    await this.db.query(
      `INSERT INTO identity_security_events (id, user_id, type, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [id, userId, event.type, JSON.stringify(event.data)],
    );
  }

  /**
   * Newest first. Paging is by `seq`, which is fine for a listing but can
   * miss a row that commits late under concurrent writers; a complete replay
   * reads the identity streams from the event store instead.
   */
  async list(query: SecurityEventQuery): Promise<RecordedSecurityEvent[]> {
    const { rows } = await this.db.query<{
      seq: string;
      id: string;
      user_id: string | null;
      type: SecurityEventType;
      data: Record<string, unknown>;
      occurred_at: Date | string;
    }>(
      `SELECT seq, id, user_id, type, data, occurred_at FROM identity_security_events
       WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR type = $2)
         AND ($3::bigint IS NULL OR seq < $3)
       ORDER BY seq DESC LIMIT $4`,
      [
        query.userId ?? null,
        query.type ?? null,
        query.before ?? null,
        Math.min(query.limit, MAX_SECURITY_EVENTS_PAGE),
      ],
    );
    return rows.map((r) => ({
      id: r.id,
      cursor: r.seq,
      userId: r.user_id,
      type: r.type,
      data: r.data,
      occurredAt: new Date(r.occurred_at).toISOString(),
    }));
  }
}
