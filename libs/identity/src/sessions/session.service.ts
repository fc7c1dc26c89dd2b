import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SQL_DATABASE, type SqlDatabase, type SqlExecutor } from '@ledger/database';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import {
  formatRefreshToken,
  hashRefreshSecret,
  newRefreshToken,
  parseRefreshToken,
  secretMatches,
} from './refresh-token';
import { LiveSessionCache } from './live-session-cache';
import { TokenService } from './token.service';

export interface SessionTokens {
  /** Sign-up only: the first wallet, and the log position to pass as ?position= to see it listed. */
  readonly walletId?: string;
  readonly position?: string;
  readonly tokenType: 'Bearer';
  readonly accessToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly userId: string;
}

export type RefreshRejection = 'refresh_token_invalid' | 'refresh_token_reused';

/** What rotation found, before tokens are signed; reuse is reported so the caller can audit it. */
type Rotation =
  | { outcome: 'rotated'; userId: string; sessionId: string; refreshToken: string }
  | { outcome: 'reused'; userId: string; sessionId: string }
  | { outcome: 'invalid' };

interface TokenRow {
  session_id: string;
  token_hash: string;
  used_at: Date | null;
  user_id: string;
  live: boolean;
}

/**
 * Sessions and refresh-token rotation. Every refresh spends its token and
 * issues the next one in the same family (session). A spent token presented
 * again means two parties hold the family, one of them a thief, and there is
 * no telling which: the whole session is revoked (OAuth 2.0 Security BCP,
 * section 4.14).
 */
@Injectable()
export class SessionService {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly tokens: TokenService,
    @Optional() private readonly live?: LiveSessionCache,
  ) {}

  async start(userId: string): Promise<SessionTokens> {
    const sessionId = randomUUID();
    const refreshToken = await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO identity_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
        [sessionId, userId, this.config.refreshTokenTtlSeconds],
      );
      return insertRefreshToken(tx, sessionId);
    });
    return this.tokensFor(userId, sessionId, refreshToken);
  }

  /** On reuse, `onReuse` runs after the revocation is committed (it records the audit event). */
  async refresh(
    presented: string,
    onReuse: (userId: string, sessionId: string) => Promise<void>,
  ): Promise<SessionTokens | RefreshRejection> {
    const rotation = await this.rotate(presented);
    if (rotation.outcome === 'invalid') return 'refresh_token_invalid';
    if (rotation.outcome === 'reused') {
      this.live?.forgetSession(rotation.sessionId);
      await onReuse(rotation.userId, rotation.sessionId);
      return 'refresh_token_reused';
    }
    return this.tokensFor(rotation.userId, rotation.sessionId, rotation.refreshToken);
  }

  /** Ends a session; true when it was live. */
  async revoke(sessionId: string, reason: 'logout' | 'refresh_token_reused'): Promise<boolean> {
    try {
      const { rowCount } = await this.db.query(
        `UPDATE identity_sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
        [sessionId, reason],
      );
      return rowCount === 1;
    } finally {
      this.live?.forgetSession(sessionId);
    }
  }

  private async rotate(presented: string): Promise<Rotation> {
    const parsed = parseRefreshToken(presented);
    if (!parsed) return { outcome: 'invalid' };
    return this.db.transaction(async (tx): Promise<Rotation> => {
      // Locking token and session serialises two refreshes racing with one
      // token: the second sees it spent and revokes the family.
      const { rows } = await tx.query<TokenRow>(
        `SELECT t.session_id, t.token_hash, t.used_at, s.user_id,
                (s.revoked_at IS NULL AND s.expires_at > now()) AS live
         FROM identity_refresh_tokens t JOIN identity_sessions s ON s.id = t.session_id
         WHERE t.id = $1 FOR UPDATE OF t, s`,
        [parsed.id],
      );
      const row = rows[0];
      if (!row || !secretMatches(parsed.secret, row.token_hash) || !row.live)
        return { outcome: 'invalid' };
      const family = { userId: row.user_id, sessionId: row.session_id };
      if (row.used_at !== null) {
        await tx.query(
          `UPDATE identity_sessions SET revoked_at = now(), revoked_reason = 'refresh_token_reused' WHERE id = $1`,
          [row.session_id],
        );
        return { outcome: 'reused', ...family };
      }
      await tx.query('UPDATE identity_refresh_tokens SET used_at = now() WHERE id = $1', [
        parsed.id,
      ]);
      return {
        outcome: 'rotated',
        ...family,
        refreshToken: await insertRefreshToken(tx, row.session_id),
      };
    });
  }

  private async tokensFor(
    userId: string,
    sessionId: string,
    refreshToken: string,
  ): Promise<SessionTokens> {
    return {
      tokenType: 'Bearer',
      accessToken: await this.tokens.issueAccess({ userId, sessionId }),
      expiresIn: this.config.accessTokenTtlSeconds,
      refreshToken,
      userId,
    };
  }
}

async function insertRefreshToken(tx: SqlExecutor, sessionId: string): Promise<string> {
  const token = newRefreshToken();
  await tx.query(
    'INSERT INTO identity_refresh_tokens (id, session_id, token_hash) VALUES ($1, $2, $3)',
    [token.id, sessionId, hashRefreshSecret(token.secret)],
  );
  return formatRefreshToken(token);
}
