import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { setting, type Env } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import {
  describeStatus,
  projectionStatus,
  READ_MODELS_PROJECTOR,
  type ReadModelChange,
} from '@ledger/read-models';
import { LiveEventsHub, type LiveHubOptions } from './live-events.hub';

/** Tuning from the configuration schema (LEDGER_LIVE_*). */
export function liveHubOptions(env: Env): LiveHubOptions {
  return {
    pollMs: setting(env, 'LEDGER_LIVE_POLL_MS'),
    heartbeatMs: setting(env, 'LEDGER_LIVE_HEARTBEAT_MS'),
    maxBufferedBytes: setting(env, 'LEDGER_LIVE_MAX_BUFFERED_BYTES'),
    maxCatchUp: setting(env, 'LEDGER_LIVE_MAX_CATCH_UP'),
  };
}

/**
 * What a connection is told of a change. A customer sees their own wallets
 * only: a movement's wallets are narrowed to theirs, and no other owner's
 * id is ever sent. Staff see every wallet of it.
 */
export function describeChange(change: ReadModelChange, ownerId: string | undefined) {
  const position = `${change.position.commit}.${change.position.prepare}`;
  if (change.type === 'balance')
    return {
      walletId: change.walletId,
      currency: change.currency,
      status: change.status,
      postedMinor: change.postedMinor.toString(),
      availableMinor: change.availableMinor.toString(),
      heldMinor: change.heldMinor.toString(),
      position,
      ...(ownerId === undefined && { ownerId: change.ownerId }),
    };
  return {
    movementId: change.movementId,
    kind: change.kind,
    status: change.status,
    ...(change.reason && { reason: change.reason }),
    amountMinor: change.amountMinor.toString(),
    currency: change.currency,
    walletIds: change.legs
      .filter((l) => ownerId === undefined || l.ownerId === ownerId)
      .map((l) => l.walletId),
    position,
  };
}

/** The process's one live reader, stopped with the application. */
@Injectable()
export class LiveEvents extends LiveEventsHub implements OnModuleDestroy {
  constructor(@Inject(SQL_DATABASE) db: SqlDatabase, @Inject(EVENT_STORE) store: EventStore) {
    super(db, liveHubOptions(process.env), describeChange, async () =>
      describeStatus(await projectionStatus(db, store, READ_MODELS_PROJECTOR)),
    );
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }
}
