import type { Role } from '../principal';

/** A user as the identity library sees it: decrypted, with roles. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  /** argon2id PHC string, or null for a Google-only account. */
  readonly passwordHash: string | null;
  readonly googleSubject: string | null;
  readonly name: string | null;
  readonly phone: string | null;
  readonly defaultCurrency: string;
  readonly walletOpened: boolean;
  readonly roles: Role[];
  readonly createdAt: string;
}

export interface NewUser {
  readonly id: string;
  /** Already normalised. */
  readonly email: string;
  readonly emailVerified: boolean;
  readonly passwordHash: string | null;
  readonly googleSubject: string | null;
  readonly name: string | null;
  /** Already normalised to E.164. */
  readonly phone: string | null;
  readonly defaultCurrency: string;
  readonly roles: readonly Role[];
}

/** `undefined` leaves a field as it is; `null` clears it. */
export interface ProfileChange {
  readonly name?: string | null;
  readonly phone?: string | null;
}

export type UserConflict = 'email_taken' | 'phone_taken';
