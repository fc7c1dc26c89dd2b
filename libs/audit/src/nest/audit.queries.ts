import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import {
  EVENT_STORE,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { AUDIT_CONFIG, type AuditConfig } from '../audit.config';
import type { Checkpoint } from '../checkpoint';
import { checkpointsAfter } from '../checkpoint.repository';

/**
 * What auditors read on the `@nestjs/cqrs` QueryBus: the event log itself,
 * its signed checkpoints and the key that checks them (docs/audit.md).
 */

/** Up to `limit` events of the log in global order, after `after`. */
export class LogEventsPageQuery extends Query<RecordedEvent[]> {
  constructor(
    readonly after: Position,
    readonly limit: number,
  ) {
    super();
  }
}

/** Up to `limit` signed checkpoints after sequence number `after`, in sequence order. */
export class CheckpointsPageQuery extends Query<Checkpoint[]> {
  constructor(
    readonly after: number,
    readonly limit: number,
  ) {
    super();
  }
}

export interface CheckpointPublicKey {
  readonly algorithm: 'Ed25519';
  /** The raw 32-byte public key, base64. */
  readonly publicKey: string;
  readonly keyId: string;
}

/** The public half of the checkpoint signing key. */
export class CheckpointPublicKeyQuery extends Query<CheckpointPublicKey> {}

@QueryHandler(LogEventsPageQuery)
export class LogEventsPageHandler implements IQueryHandler<LogEventsPageQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ after, limit }: LogEventsPageQuery): Promise<RecordedEvent[]> {
    return this.store.readAll({ after, maxCount: limit });
  }
}

@QueryHandler(CheckpointsPageQuery)
export class CheckpointsPageHandler implements IQueryHandler<CheckpointsPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ after, limit }: CheckpointsPageQuery): Promise<Checkpoint[]> {
    return checkpointsAfter(this.db, after, limit);
  }
}

@QueryHandler(CheckpointPublicKeyQuery)
export class CheckpointPublicKeyHandler implements IQueryHandler<CheckpointPublicKeyQuery> {
  constructor(@Inject(AUDIT_CONFIG) private readonly config: AuditConfig) {}
  execute(): Promise<CheckpointPublicKey> {
    const { publicKeyBase64, keyId } = this.config.signingKey;
    return Promise.resolve({ algorithm: 'Ed25519', publicKey: publicKeyBase64, keyId });
  }
}
