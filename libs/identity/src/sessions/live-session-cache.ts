import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { listenForIdentityChanges, type IdentityChangeSubscription } from '../identity-changes';
import type { Role } from '../principal';
import { setBounded } from '../bounded-map';

/** What the access guard needs of a live session's user. */
export interface LiveSession {
  readonly userId: string;
  readonly email: string;
  readonly roles: readonly Role[];
  readonly emailVerified: boolean;
}

export interface LiveSessionCacheOptions {
  /** How long a session checked live is trusted without asking again. */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** Optional provider of `LiveSessionCacheOptions` (tests; `ttlMs: 0` turns the cache off). */
export const LIVE_SESSION_CACHE_OPTIONS = Symbol('LIVE_SESSION_CACHE_OPTIONS');

/** A read begun before this generation may not be cached: a write came in between. */
export type ReadToken = number;

/**
 * Live sessions checked in the last few seconds, so that a request does not
 * read its session and user from the database each time (one round trip and
 * three field decryptions per request before).
 *
 * Correct only while every change reaches it:
 *  - this process's own writes call `forgetUser` once they committed, so a
 *    logout, a revocation, a role change or a verification answered here
 *    takes effect on the very next request;
 *  - every other writer (another API process, the CLI, plain SQL) reaches
 *    it through `NOTIFY identity_changed` (migration 041's triggers), which
 *    arrives within milliseconds of the commit, on the one listening
 *    connection of the process (`listenForIdentityChanges`).
 * Nothing is cached while the listening connection is down, and the whole
 * cache is dropped when it is lost or comes back, since notifications may
 * have been missed. A read that began before a change was forgotten is not
 * cached either (`begin`/`set` compare a generation), so a read racing a
 * write cannot put the old state back. `ttlMs` bounds how long an entry is
 * trusted in any case (and so how far past its `expires_at` a session can
 * be honoured).
 */
@Injectable()
export class LiveSessionCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveSessionCache.name);
  private readonly entries = new Map<string, { session: LiveSession; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private generation = 0;
  private listening = false;
  private listener?: IdentityChangeSubscription;
  private stopping = false;

  constructor(
    @Optional() @Inject(SQL_DATABASE) private readonly db?: SqlDatabase,
    @Optional() @Inject(LIVE_SESSION_CACHE_OPTIONS) options: LiveSessionCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.db || this.ttlMs <= 0) return;
    try {
      this.listener = await listenForIdentityChanges(this.db, {
        onNotify: (userId) => this.forgetUser(userId),
        onListening: (listening) => this.setListening(listening),
      });
    } catch (error) {
      // Without notifications every request reads its session, as before.
      this.logger.warn(`Not caching sessions: LISTEN failed (${String(error)})`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.setListening(false);
    await this.listener?.close();
  }

  /** The live session as checked less than `ttlMs` ago, if it was. */
  get(sessionId: string, userId: string): LiveSession | undefined {
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.until <= this.now() || entry.session.userId !== userId) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry.session;
  }

  /** Call before reading a session from the database; pass the token to `set`. */
  begin(): ReadToken {
    return this.generation;
  }

  /** Caches a session read live, unless a change was forgotten since `begin`. */
  set(sessionId: string, session: LiveSession, token: ReadToken): void {
    if (!this.listening || token !== this.generation || this.ttlMs <= 0) return;
    setBounded(
      this.entries,
      sessionId,
      { session, until: this.now() + this.ttlMs },
      this.maxEntries,
    );
  }

  /** Drops the user's sessions; call after a write about the user or a session committed. */
  forgetUser(userId: string): void {
    this.generation++;
    for (const [sessionId, entry] of this.entries) {
      if (entry.session.userId === userId) this.entries.delete(sessionId);
    }
  }

  /** Drops one session; call after its revocation committed. */
  forgetSession(sessionId: string): void {
    this.generation++;
    this.entries.delete(sessionId);
  }

  private setListening(listening: boolean): void {
    this.generation++;
    this.entries.clear();
    this.listening = listening;
    if (!listening && !this.stopping)
      this.logger.warn('Session cache off: lost the identity_changed listener');
  }
}
