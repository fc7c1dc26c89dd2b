import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '@ledger/database';
import { StatementBatcher } from './idempotency.batcher';

/** What a request finds when it presents its Idempotency-Key. */
export type IdempotencyClaim =
  /** The request holds the key until its lease passes and runs; `takenOver` when an earlier holder died. */
  | { readonly kind: 'claimed'; readonly token: string; readonly takenOver: boolean }
  /** The key has an outcome: replay it. */
  | { readonly kind: 'completed'; readonly statusCode: number; readonly response: unknown }
  /** Another request holds a live lease on the key. */
  | { readonly kind: 'in_progress'; readonly retryAfterSeconds: number }
  /** The key was used with another body. */
  | { readonly kind: 'reused' };

interface KeyRow {
  request_hash: string;
  status_code: number | null;
  response: unknown;
  lease_left_ms: string | number | null;
}

/** A claim to make: the key, the request's fingerprint and the claim's token. */
interface Claim {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  readonly token: string;
}

/** An outcome to record, its response already JSON. */
interface Outcome {
  readonly scope: string;
  readonly key: string;
  readonly token: string;
  readonly statusCode: number;
  readonly response: string;
}

/** A key that vanishes between the claim and the read (its holder failed and let go) is claimed again, this often. */
const MAX_CLAIM_ATTEMPTS = 3;

/**
 * The `idempotency_keys` table. A claim is a lease: the claiming request
 * holds the key until `locked_until` and alone may record its outcome, by
 * its claim token. When the holder dies without an outcome, the lease runs
 * out and the next request with the same body takes the key over in one
 * statement, so two requests never both believe they hold it.
 */
export class IdempotencyStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly leaseMs: number,
  ) {}

  async claim(scope: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const token = randomUUID();
      const claimed = await this.claims.submit({ scope, key, requestHash, token });
      if (claimed !== undefined) return { kind: 'claimed', token, takenOver: !claimed };
      const found = await this.find(scope, key, requestHash);
      if (found) return found;
    }
    return { kind: 'in_progress', retryAfterSeconds: 1 };
  }

  /**
   * Claims made while an earlier one is in flight share the next statement
   * (see StatementBatcher): one round trip and one commit per batch. Each
   * claim inserts a new key, or takes over one whose holder left no outcome
   * and whose lease has passed; the row lock makes the take-over atomic.
   * Results: true when inserted, false when taken over, undefined when the
   * key is held or settled. A statement touches a key once at most, so a
   * key claimed twice in one batch goes to a statement of its own after it;
   * rows are locked in key order, so concurrent batches do not deadlock.
   */
  private readonly claims = new StatementBatcher<Claim, boolean | undefined>(async (all) => {
    const results: Array<boolean | undefined> = [];
    let rest = all.map((claim, index) => ({ claim, index }));
    while (rest.length > 0) {
      const seen = new Set<string>();
      const now: typeof rest = [];
      const later: typeof rest = [];
      for (const item of rest) {
        const id = `${item.claim.scope}\u0000${item.claim.key}`;
        (seen.has(id) ? later : now).push(item);
        seen.add(id);
      }
      const { rows } = await this.db.query<{ token: string; inserted: boolean }>(
        `INSERT INTO idempotency_keys AS k (scope, key, request_hash, claim_token, locked_until)
           SELECT c.scope, c.key, c.request_hash, c.token, now() + $5 * interval '1 millisecond'
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                  AS c(scope, key, request_hash, token)
            ORDER BY c.scope, c.key
         ON CONFLICT (scope, key) DO UPDATE
           SET claim_token = EXCLUDED.claim_token, locked_until = EXCLUDED.locked_until
           WHERE k.status_code IS NULL AND k.locked_until <= now()
             AND k.request_hash = EXCLUDED.request_hash
         RETURNING k.claim_token AS token, (xmax = 0) AS inserted`,
        [
          now.map((n) => n.claim.scope),
          now.map((n) => n.claim.key),
          now.map((n) => n.claim.requestHash),
          now.map((n) => n.claim.token),
          this.leaseMs,
        ],
      );
      // Claim tokens are fresh UUIDs: a returned row names the claim it is.
      const inserted = new Map(rows.map((row) => [row.token, row.inserted]));
      for (const n of now) results[n.index] = inserted.get(n.claim.token);
      rest = later;
    }
    return results;
  });

  /**
   * Records the outcome, only while this claim still holds the key: a
   * request that outlived its lease and was taken over must not overwrite
   * the outcome its successor recorded. Returns whether it was recorded.
   * Outcomes recorded at the same time share one statement (see
   * StatementBatcher); each is still checked against its own claim token.
   */
  settle(
    scope: string,
    key: string,
    token: string,
    statusCode: number,
    response: unknown,
  ): Promise<boolean> {
    return this.settles.submit({
      scope,
      key,
      token,
      statusCode,
      response: JSON.stringify(response),
    });
  }

  private readonly settles = new StatementBatcher<Outcome, boolean>(async (outcomes) => {
    const { rows } = await this.db.query<{ i: number }>(
      `UPDATE idempotency_keys k
          SET status_code = o.status_code, response = o.response::jsonb,
              completed_at = now(), locked_until = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
              WITH ORDINALITY AS o(scope, key, token, status_code, response, i)
        WHERE k.scope = o.scope AND k.key = o.key AND k.claim_token = o.token
          AND k.status_code IS NULL
        RETURNING o.i::int AS i`,
      [
        outcomes.map((o) => o.scope),
        outcomes.map((o) => o.key),
        outcomes.map((o) => o.token),
        outcomes.map((o) => o.statusCode),
        outcomes.map((o) => o.response),
      ],
    );
    const recorded = new Set(rows.map((row) => Number(row.i)));
    return outcomes.map((_, i) => recorded.has(i + 1));
  });

  /** Lets go of a key whose outcome is unknown, so the client may retry it at once. */
  async release(scope: string, key: string, token: string): Promise<void> {
    await this.db.query(
      `DELETE FROM idempotency_keys
        WHERE scope = $1 AND key = $2 AND claim_token = $3 AND status_code IS NULL`,
      [scope, key, token],
    );
  }

  private async find(
    scope: string,
    key: string,
    requestHash: string,
  ): Promise<IdempotencyClaim | undefined> {
    const { rows } = await this.db.query<KeyRow>(
      `SELECT request_hash, status_code, response,
              ceil(extract(epoch FROM (locked_until - now())) * 1000) AS lease_left_ms
         FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.request_hash !== requestHash) return { kind: 'reused' };
    if (row.status_code === null) {
      const leftMs = Number(row.lease_left_ms ?? 0);
      return { kind: 'in_progress', retryAfterSeconds: Math.max(1, Math.ceil(leftMs / 1000)) };
    }
    const response: unknown =
      typeof row.response === 'string' ? JSON.parse(row.response) : row.response;
    return { kind: 'completed', statusCode: row.status_code, response };
  }
}
