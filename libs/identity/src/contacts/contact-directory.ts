import { Module, type DynamicModule } from '@nestjs/common';
import { setting, type Env } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { FieldCipher } from '../crypto/field-cipher';
import { IDENTITY_CONFIG, readDataKey, type IdentityConfig } from '../identity.config';
import { UserStore } from '../users/user.store';

/** Where to reach a user: decrypted, for sending them a message and nothing else. */
export interface Contact {
  readonly email: string;
  /** E.164, when the user gave one. */
  readonly phone?: string;
  readonly name?: string;
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Read-only access to users' contact details, for processes that send
 * notifications but serve no HTTP (the worker), so they need neither
 * IdentityModule nor its guard. It decrypts through the same `UserStore` and
 * `FieldCipher` as the rest of identity; callers must keep what it returns
 * out of logs, events and job payloads.
 */
export class ContactDirectory {
  private readonly users: UserStore;

  constructor(db: SqlDatabase, dataKey: Buffer) {
    this.users = new UserStore(db, new FieldCipher(dataKey));
  }

  /** Undefined for an id that is not a user (a system party, a deleted or unknown user). */
  async contactOf(userId: string): Promise<Contact | undefined> {
    // Owner ids are user ids (uuids); anything else can name no row, and the
    // uuid column would refuse it as input.
    if (!USER_ID.test(userId)) return undefined;
    const user = await this.users.findById(userId.toLowerCase());
    if (!user) return undefined;
    return {
      email: user.email,
      ...(user.phone !== null && { phone: user.phone }),
      ...(user.name !== null && { name: user.name }),
    };
  }
}

/**
 * The identity data key alone (`LEDGER_IDENTITY_DATA_KEY`, or the development
 * key file identity itself uses), so a process that only reads contacts does
 * not need the JWT secret or the rest of the identity configuration.
 */
export function readContactsDataKey(env: Env): Buffer {
  return readDataKey(env, setting(env, 'LEDGER_DATA_DIR'));
}

/**
 * Provides `ContactDirectory`. Needs SQL_DATABASE from a global module. When
 * IdentityModule runs in the same application (the embedded API + worker) its
 * configuration's data key is used, so both always agree; otherwise the key
 * is read from `env` when the application starts.
 */
@Module({})
export class ContactsModule {
  static forRoot(env: Env = process.env): DynamicModule {
    return {
      module: ContactsModule,
      providers: [
        {
          provide: ContactDirectory,
          useFactory: (db: SqlDatabase, identity?: IdentityConfig) =>
            new ContactDirectory(db, identity?.dataKey ?? readContactsDataKey(env)),
          inject: [SQL_DATABASE, { token: IDENTITY_CONFIG, optional: true }],
        },
      ],
      exports: [ContactDirectory],
    };
  }
}
