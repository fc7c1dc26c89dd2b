import type { ListenHandlers, Listener, SqlDatabase } from '@ledger/database';

/** The channel migration 041's triggers notify, with the user's id as payload. */
export const IDENTITY_CHANGED_CHANNEL = 'identity_changed';

/**
 * What a cache of identity data hears: `onNotify` with the id of a user that
 * changed, `onListening` whether notifications arrive (see `SqlDatabase.listen`:
 * a cache must drop everything on either change and keep nothing while false).
 */
export type IdentityChangeHandlers = ListenHandlers;

export interface IdentityChangeSubscription {
  /** Stops telling these handlers; the last subscription of a database closes its connection. */
  close(): Promise<void>;
}

/**
 * One `LISTEN identity_changed` connection per database handle, whatever the
 * number of caches in the process (the session cache and the contact cache
 * share it when the API and the worker run together): a listening connection
 * is a server connection held for the life of the process.
 */
class SharedIdentityListener {
  private readonly subscribers = new Set<IdentityChangeHandlers>();
  private listening = false;
  private opening?: Promise<Listener>;

  constructor(
    private readonly db: SqlDatabase,
    private readonly onIdle: () => void,
  ) {}

  async subscribe(handlers: IdentityChangeHandlers): Promise<IdentityChangeSubscription> {
    this.subscribers.add(handlers);
    // Joining a connection that listens already: nothing this cache holds was
    // missed, since it holds nothing yet.
    if (this.listening) handlers.onListening?.(true);
    this.opening ??= this.open();
    const opening = this.opening;
    try {
      await opening;
    } catch (error) {
      this.subscribers.delete(handlers);
      // The next subscriber tries again, with a fresh connection.
      if (this.opening === opening) this.opening = undefined;
      if (this.subscribers.size === 0) this.onIdle();
      throw error;
    }
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        this.subscribers.delete(handlers);
        if (this.subscribers.size > 0) return;
        this.onIdle();
        const listener = this.opening;
        this.opening = undefined;
        this.listening = false;
        await (await listener?.catch(() => undefined))?.close();
      },
    };
  }

  private open(): Promise<Listener> {
    return this.db.listen(IDENTITY_CHANGED_CHANNEL, {
      onNotify: (userId) => {
        for (const subscriber of [...this.subscribers]) subscriber.onNotify(userId);
      },
      onListening: (listening) => {
        this.listening = listening;
        for (const subscriber of [...this.subscribers]) subscriber.onListening?.(listening);
      },
    });
  }
}

const listeners = new WeakMap<SqlDatabase, SharedIdentityListener>();

/**
 * Tells `handlers` of every change of a user, over the one listening
 * connection of `db`, opened by the first subscription. Rejects when that
 * connection cannot listen (the handlers are then not subscribed).
 */
export function listenForIdentityChanges(
  db: SqlDatabase,
  handlers: IdentityChangeHandlers,
): Promise<IdentityChangeSubscription> {
  let shared = listeners.get(db);
  if (!shared) {
    const created = new SharedIdentityListener(db, () => {
      if (listeners.get(db) === created) listeners.delete(db);
    });
    listeners.set(db, created);
    shared = created;
  }
  return shared.subscribe(handlers);
}
