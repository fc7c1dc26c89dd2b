import { must } from '@ledger/invariant';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase, type SqlExecutor } from '@ledger/database';
import { FieldCipher } from '../crypto/field-cipher';
import type { Role } from '../principal';
import { LiveSessionCache } from '../sessions/live-session-cache';
import type { NewUser, ProfileChange, User, UserConflict } from './user';

interface UserRow {
  id: string;
  email_ciphertext: string;
  email_verified_at: Date | null;
  password_hash: string | null;
  google_subject: string | null;
  name_ciphertext: string | null;
  phone_ciphertext: string | null;
  default_currency: string;
  wallet_opened_at: Date | null;
  roles: Role[];
  created_at: Date | string;
}

const SELECT_USER = `SELECT u.id, u.email_ciphertext, u.email_verified_at, u.password_hash, u.google_subject,
  u.name_ciphertext, u.phone_ciphertext, u.default_currency, u.wallet_opened_at, u.created_at,
  (SELECT coalesce(json_agg(r.role ORDER BY r.role), '[]'::json) FROM identity_user_roles r WHERE r.user_id = u.id) AS roles
  FROM identity_users u`;

/**
 * Users in SQL. This is the one place that encrypts and decrypts personal
 * fields and derives their lookup hashes, so every caller works in plain
 * values and no caller can store one unencrypted by mistake.
 */
@Injectable()
export class UserStore {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly cipher: FieldCipher,
    /** Told of changes to roles, verification and sessions once they committed. */
    @Optional() private readonly sessions?: LiveSessionCache,
  ) {}

  emailHash(email: string): string {
    return this.cipher.lookupHash('email', email);
  }

  phoneHash(phone: string): string {
    return this.cipher.lookupHash('phone', phone);
  }

  async create(user: NewUser): Promise<UserConflict | undefined> {
    return this.db.transaction(async (tx) => {
      const conflict = await this.conflictOf(tx, user.email, user.phone, user.id);
      if (conflict) return conflict;
      const inserted = await tx.query(
        `INSERT INTO identity_users (id, email_hash, email_ciphertext, email_verified_at, password_hash, google_subject,
           name_ciphertext, phone_hash, phone_ciphertext, default_currency)
         VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN now() END, $5, $6, $7, $8, $9, $10)
         ON CONFLICT DO NOTHING`,
        [
          user.id,
          this.emailHash(user.email),
          this.cipher.encrypt(user.email, `email:${user.id}`),
          user.emailVerified,
          user.passwordHash,
          user.googleSubject,
          user.name === null ? null : this.cipher.encrypt(user.name, `name:${user.id}`),
          user.phone === null ? null : this.phoneHash(user.phone),
          user.phone === null ? null : this.cipher.encrypt(user.phone, `phone:${user.id}`),
          user.defaultCurrency,
        ],
      );
      // A concurrent sign-up with the same e-mail won between check and insert.
      if (inserted.rowCount === 0) return 'email_taken';
      await insertRoles(tx, user.id, user.roles);
      return undefined;
    });
  }

  async findById(id: string): Promise<User | undefined> {
    return this.one(`${SELECT_USER} WHERE u.id = $1`, [id]);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    return this.one(`${SELECT_USER} WHERE u.email_hash = $1`, [this.emailHash(email)]);
  }

  async findByGoogleSubject(subject: string): Promise<User | undefined> {
    return this.one(`${SELECT_USER} WHERE u.google_subject = $1`, [subject]);
  }

  /** The user of a live session (not revoked, not expired), for the access guard. */
  async findBySession(sessionId: string, userId: string): Promise<User | undefined> {
    return this.one(
      `${SELECT_USER} JOIN identity_sessions s ON s.user_id = u.id
       WHERE s.id = $1 AND u.id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [sessionId, userId],
    );
  }

  async findIdByEmail(email: string): Promise<string | undefined> {
    return this.oneId('SELECT id FROM identity_users WHERE email_hash = $1', [
      this.emailHash(email),
    ]);
  }

  /** Whether the user exists and holds the role; an id that is not a UUID names nobody. */
  async hasRole(userId: string, role: Role): Promise<boolean> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId))
      return false;
    const { rows } = await this.db.query(
      'SELECT 1 FROM identity_user_roles WHERE user_id = $1 AND role = $2',
      [userId, role],
    );
    return rows.length > 0;
  }

  async findIdByPhone(phone: string): Promise<string | undefined> {
    return this.oneId('SELECT id FROM identity_users WHERE phone_hash = $1', [
      this.phoneHash(phone),
    ]);
  }

  async markWalletOpened(userId: string): Promise<void> {
    await this.db.query(
      'UPDATE identity_users SET wallet_opened_at = now() WHERE id = $1 AND wallet_opened_at IS NULL',
      [userId],
    );
  }

  async updateProfile(
    userId: string,
    change: ProfileChange,
  ): Promise<'phone_taken' | 'user_not_found' | undefined> {
    return this.db.transaction(async (tx) => {
      if (change.phone) {
        const holder = await tx.query<{ id: string }>(
          'SELECT id FROM identity_users WHERE phone_hash = $1',
          [this.phoneHash(change.phone)],
        );
        if (holder.rows.some((r) => r.id !== userId)) return 'phone_taken';
      }
      const updated = await tx.query(
        `UPDATE identity_users SET
           name_ciphertext = CASE WHEN $2::boolean THEN $3 ELSE name_ciphertext END,
           phone_hash = CASE WHEN $4::boolean THEN $5 ELSE phone_hash END,
           phone_ciphertext = CASE WHEN $4::boolean THEN $6 ELSE phone_ciphertext END,
           updated_at = now()
         WHERE id = $1`,
        [
          userId,
          ...this.nameColumns(userId, change.name),
          ...this.phoneColumns(userId, change.phone),
        ],
      );
      return updated.rowCount === 1 ? undefined : 'user_not_found';
    });
  }

  /**
   * Replaces a user's roles with `change(current)`; returns them before and
   * after. Staff roles need a verified e-mail, checked under the same row lock
   * as the write, so no change of address can slip between check and grant.
   */
  async replaceRoles(
    userId: string,
    change: (current: readonly Role[]) => readonly Role[],
  ): Promise<{ from: Role[]; to: Role[] } | 'user_not_found' | 'user_email_not_verified'> {
    return this.changed(userId, async (tx) => {
      // Locking the user row serialises two admins editing the same roles.
      const user = await tx.query<{ verified: boolean }>(
        'SELECT email_verified_at IS NOT NULL AS verified FROM identity_users WHERE id = $1 FOR UPDATE',
        [userId],
      );
      // rows, not rowCount: PGlite reports a locking SELECT's count as rows affected (0).
      if (user.rows.length === 0) return 'user_not_found';
      const before = await tx.query<{ role: Role }>(
        'SELECT role FROM identity_user_roles WHERE user_id = $1 ORDER BY role',
        [userId],
      );
      const from = before.rows.map((r) => r.role);
      const to = [...new Set(change(from))].sort();
      if (to.some((role) => role !== 'customer') && !must(user.rows[0], 'user row').verified)
        return 'user_email_not_verified';
      await tx.query('DELETE FROM identity_user_roles WHERE user_id = $1', [userId]);
      await insertRoles(tx, userId, to);
      return { from, to };
    });
  }

  /**
   * Attaches a Google account. With `resetCredentials` the password, every
   * session and the second factor go too (see decideGoogleSignIn for why);
   * returns whether a second factor was removed.
   */
  async linkGoogle(
    userId: string,
    subject: string,
    resetCredentials: boolean,
  ): Promise<{ twoFactorRemoved: boolean }> {
    return this.changed(userId, async (tx) => {
      await tx.query(
        `UPDATE identity_users SET google_subject = $2, email_verified_at = coalesce(email_verified_at, now()),
           password_hash = CASE WHEN $3::boolean THEN NULL ELSE password_hash END, updated_at = now()
         WHERE id = $1`,
        [userId, subject, resetCredentials],
      );
      if (!resetCredentials) return { twoFactorRemoved: false };
      await tx.query(
        `UPDATE identity_sessions SET revoked_at = now(), revoked_reason = 'credentials_reset'
         WHERE user_id = $1 AND revoked_at IS NULL`,
        [userId],
      );
      await tx.query('DELETE FROM identity_recovery_codes WHERE user_id = $1', [userId]);
      const removed = await tx.query<{ enabled_at: Date | null }>(
        'DELETE FROM identity_two_factor WHERE user_id = $1 RETURNING enabled_at',
        [userId],
      );
      return { twoFactorRemoved: removed.rows.some((r) => r.enabled_at !== null) };
    });
  }

  /**
   * For writers outside this store (a verification, a new password): drops the
   * user's cached live sessions. Call once the change committed.
   */
  forgetSessionsOf(userId: string): void {
    this.sessions?.forgetUser(userId);
  }

  /** A transaction that changes what the access guard reads of the user; their cached sessions go once it committed. */
  private async changed<T>(userId: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } finally {
      this.sessions?.forgetUser(userId);
    }
  }

  private async conflictOf(
    tx: SqlExecutor,
    email: string,
    phone: string | null,
    id: string,
  ): Promise<UserConflict | undefined> {
    const { rows } = await tx.query<{ email_hash: string }>(
      'SELECT email_hash FROM identity_users WHERE email_hash = $1 OR phone_hash = $2 OR id = $3',
      [this.emailHash(email), phone === null ? null : this.phoneHash(phone), id],
    );
    if (rows.length === 0) return undefined;
    return rows.some((r) => r.email_hash === this.emailHash(email)) ? 'email_taken' : 'phone_taken';
  }

  private nameColumns(userId: string, name: string | null | undefined): unknown[] {
    if (name === undefined) return [false, null];
    return [true, name === null ? null : this.cipher.encrypt(name, `name:${userId}`)];
  }

  private phoneColumns(userId: string, phone: string | null | undefined): unknown[] {
    if (phone === undefined) return [false, null, null];
    if (phone === null) return [true, null, null];
    return [true, this.phoneHash(phone), this.cipher.encrypt(phone, `phone:${userId}`)];
  }

  private async one(sql: string, params: unknown[]): Promise<User | undefined> {
    const { rows } = await this.db.query<UserRow>(sql, params);
    return rows[0] && this.toUser(rows[0]);
  }

  private async oneId(sql: string, params: unknown[]): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>(sql, params);
    return rows[0]?.id;
  }

  private toUser(row: UserRow): User {
    return {
      id: row.id,
      email: this.cipher.decrypt(row.email_ciphertext, `email:${row.id}`),
      emailVerified: row.email_verified_at !== null,
      passwordHash: row.password_hash,
      googleSubject: row.google_subject,
      name:
        row.name_ciphertext === null
          ? null
          : this.cipher.decrypt(row.name_ciphertext, `name:${row.id}`),
      phone:
        row.phone_ciphertext === null
          ? null
          : this.cipher.decrypt(row.phone_ciphertext, `phone:${row.id}`),
      defaultCurrency: row.default_currency,
      walletOpened: row.wallet_opened_at !== null,
      roles: row.roles,
      createdAt: new Date(row.created_at).toISOString(),
    };
  }
}

async function insertRoles(tx: SqlExecutor, userId: string, roles: readonly Role[]): Promise<void> {
  for (const role of new Set(roles)) {
    await tx.query('INSERT INTO identity_user_roles (user_id, role) VALUES ($1, $2)', [
      userId,
      role,
    ]);
  }
}
