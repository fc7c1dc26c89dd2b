import {
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { setting, type Env } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { FieldCipher } from '../crypto/field-cipher';
import { listenForIdentityChanges, type IdentityChangeSubscription } from '../identity-changes';
import { IDENTITY_CONFIG, readDataKey, type IdentityConfig } from '../identity.config';
import { UserStore } from '../users/user.store';
import { setBounded } from '../bounded-map';

/** Where to reach a user: decrypted, for sending them a message and nothing else. */
export interface Contact {
  readonly email: string;
  /** E.164, when the user gave one. */
  readonly phone?: string;
  readonly name?: string;
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ContactCacheOptions {
  /** How long a contact read is trusted without asking again; 0 turns the cache off. */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Read-only access to users' contact details, for processes that send
 * notifications but serve no HTTP (the worker), so they need neither
 * IdentityModule nor its guard. It decrypts through the same `UserStore` and
 * `FieldCipher` as the rest of identity; callers must keep what it returns
 * out of logs, events and job payloads.
 *
 * Contacts read are kept in memory for up to `ttlMs` (60 s), so a movement's
 * notification does not read and decrypt its parties each time. Like the
 * live-session cache (docs/identity.md, "Session check") it is correct only
 * while every change reaches it: migration 041's triggers send `NOTIFY
 * identity_changed` with the user's id when `identity_users` changes, from
 * any writer, and the user's entry is dropped on it (one listening
 * connection per process, shared with the session cache). Nothing is cached until
 * the listener is up (`onApplicationBootstrap`) nor while it is down, the
 * whole cache is dropped when it is lost or comes back, and a read begun
 * before a change arrived is not cached (a generation count). A user not
 * found is never cached: creating a user notifies nothing.
 */
export class ContactDirectory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ContactDirectory.name);
  private readonly users: UserStore;
  private readonly entries = new Map<string, { contact: Contact; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private generation = 0;
  private listening = false;
  private stopping = false;
  private listener?: IdentityChangeSubscription;

  constructor(
    private readonly db: SqlDatabase,
    dataKey: Buffer,
    options: ContactCacheOptions = {},
  ) {
    this.users = new UserStore(db, new FieldCipher(dataKey));
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.ttlMs <= 0 || this.listener) return;
    try {
      this.listener = await listenForIdentityChanges(this.db, {
        onNotify: (userId) => this.forgetUser(userId),
        onListening: (listening) => this.setListening(listening),
      });
    } catch (error) {
      // Without notifications every contact is read when needed, as before.
      this.logger.warn(
        `Not caching contacts: LISTEN failed (${error instanceof Error ? error.name : 'unknown'})`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.setListening(false);
    await this.listener?.close();
    this.listener = undefined;
  }

  /** Undefined for an id that is not a user (a system party, a deleted or unknown user). */
  async contactOf(userId: string): Promise<Contact | undefined> {
    // Owner ids are user ids (uuids); anything else can name no row, and the
    // uuid column would refuse it as input.
    if (!USER_ID.test(userId)) return undefined;
    const id = userId.toLowerCase();
    const cached = this.entries.get(id);
    if (cached && cached.until > this.now()) return cached.contact;
    if (cached) this.entries.delete(id);
    const token = this.generation;
    const user = await this.users.findById(id);
    if (!user) return undefined;
    const contact: Contact = {
      email: user.email,
      ...(user.phone !== null && { phone: user.phone }),
      ...(user.name !== null && { name: user.name }),
    };
    this.remember(id, contact, token);
    return contact;
  }

  /** Drops the user's contact; the listener calls it on every change of the user. */
  forgetUser(userId: string): void {
    this.generation++;
    this.entries.delete(userId.toLowerCase());
  }

  private remember(id: string, contact: Contact, token: number): void {
    if (!this.listening || token !== this.generation || this.ttlMs <= 0) return;
    setBounded(this.entries, id, { contact, until: this.now() + this.ttlMs }, this.maxEntries);
  }

  private setListening(listening: boolean): void {
    this.generation++;
    this.entries.clear();
    this.listening = listening && !this.stopping;
    if (!listening && !this.stopping)
      this.logger.warn('Contact cache off: lost the identity_changed listener');
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
