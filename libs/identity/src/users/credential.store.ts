import type { SqlExecutor } from '@ledger/database';

export type PasswordChangeReason = 'password_reset' | 'password_changed';

/**
 * Writes that change what proves a person is who they say, each run inside
 * the transaction that spent the proof (an e-mailed code, the current
 * password), so the proof and its effect commit together.
 */
export async function markEmailVerified(tx: SqlExecutor, userId: string): Promise<void> {
  await tx.query(
    `UPDATE identity_users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
     WHERE id = $1`,
    [userId],
  );
}

/**
 * Sets a new password hash and ends the user's sessions (every one, or every
 * one but `keepSessionId`); returns how many were ended. Refresh tokens
 * belong to their session, so they stop working with it.
 */
export async function replacePassword(
  tx: SqlExecutor,
  userId: string,
  passwordHash: string,
  reason: PasswordChangeReason,
  keepSessionId?: string,
): Promise<number> {
  await tx.query('UPDATE identity_users SET password_hash = $2, updated_at = now() WHERE id = $1', [
    userId,
    passwordHash,
  ]);
  const { rowCount } = await tx.query(
    `UPDATE identity_sessions SET revoked_at = now(), revoked_reason = $2
     WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)`,
    [userId, reason, keepSessionId ?? null],
  );
  return rowCount;
}
