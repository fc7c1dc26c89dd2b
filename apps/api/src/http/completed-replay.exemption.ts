import { Global, Inject, Injectable, Module } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { TWO_FACTOR_REPLAY_EXEMPTION, type TwoFactorReplayExemption } from '@ledger/identity';
import { headerOf, idempotencyScope } from './idempotency.interceptor';

/**
 * Answers the second-factor guard: is this request a retry, under the same
 * Idempotency-Key, of one that completed? Such a retry only replays the
 * first answer (or is refused for a changed body) and moves no money, so it
 * needs no fresh code. A request still in progress is not exempt.
 */
@Injectable()
export class CompletedReplayExemption implements TwoFactorReplayExemption {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async isCompletedReplay(
    request: FastifyRequest & { user?: { userId: string } },
  ): Promise<boolean> {
    const key = headerOf(request, 'idempotency-key');
    if (!key || key.length > 255) return false;
    const { rowCount } = await this.db.query(
      'SELECT 1 FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status_code IS NOT NULL',
      [idempotencyScope(request), key],
    );
    return rowCount > 0;
  }
}

/** Global, so that identity's guard, wherever it is instantiated, finds the exemption. */
@Global()
@Module({
  providers: [{ provide: TWO_FACTOR_REPLAY_EXEMPTION, useClass: CompletedReplayExemption }],
  exports: [TWO_FACTOR_REPLAY_EXEMPTION],
})
export class CompletedReplayModule {}
