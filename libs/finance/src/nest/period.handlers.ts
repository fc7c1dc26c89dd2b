/** Period closes: the sealed trial balance of a closed month, and the close itself. */
import { Inject } from '@nestjs/common';
import {
  CommandHandler,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { AUDIT_CONFIG, type AuditConfig } from '@ledger/audit';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, formatPosition, type EventStore } from '@ledger/event-store';
import { SecurityAuditService } from '@ledger/identity';
import { AS_OF_WAIT_MS, pointAt, pointAtDetail, trialBalanceAsOf } from '@ledger/read-models';
import type { FinanceRefused } from '../finance.rejections';
import { periodBounds, signSeal, trialBalanceHash, type PeriodSeal } from '../periods/period-seal';
import { getPeriodClose, insertPeriodClose, listPeriodCloses } from '../periods/periods.repository';
import {
  ClosePeriodCommand,
  PeriodCloseQuery,
  PeriodClosesPageQuery,
  type Page,
} from './finance.messages';

@QueryHandler(PeriodClosesPageQuery)
export class PeriodClosesPageHandler implements IQueryHandler<PeriodClosesPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ before, limit }: PeriodClosesPageQuery): Promise<Page<PeriodSeal>> {
    return listPeriodCloses(this.db, { before, limit });
  }
}

@QueryHandler(PeriodCloseQuery)
export class PeriodCloseHandler implements IQueryHandler<PeriodCloseQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ period }: PeriodCloseQuery): Promise<PeriodSeal | undefined> {
    return getPeriodClose(this.db, period);
  }
}

@CommandHandler(ClosePeriodCommand)
export class ClosePeriodHandler implements ICommandHandler<ClosePeriodCommand> {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AUDIT_CONFIG) private readonly auditConfig: AuditConfig,
    private readonly audit: SecurityAuditService,
  ) {}

  async execute({
    userId,
    period,
    reason,
  }: ClosePeriodCommand): Promise<PeriodSeal | FinanceRefused> {
    const bounds = periodBounds(period);
    if (!bounds) return { refused: 'invalid_period' };
    if (bounds.to.getTime() > Date.now()) return { refused: 'period_not_ended' };
    if (await getPeriodClose(this.db, period)) return { refused: 'period_already_closed' };
    const position = await pointAt(
      this.db,
      this.store,
      new Date(bounds.to.getTime() - 1),
      AS_OF_WAIT_MS,
    );
    if ('problem' in position) {
      const detail = pointAtDetail(position);
      return detail === undefined
        ? { refused: position.problem }
        : { refused: position.problem, detail };
    }
    const balance = await trialBalanceAsOf(this.db, position);
    if (!balance.balanced) return { refused: 'trial_balance_unbalanced' };
    const trialBalance = balance.lines.map((l) => ({
      currency: l.currency,
      debitsMinor: l.debitsMinor.toString(),
      creditsMinor: l.creditsMinor.toString(),
      balanced: l.balanced,
    }));
    const seal = signSeal(
      {
        version: 'ledger-period-close-v1',
        period,
        from: bounds.from.toISOString(),
        to: bounds.to.toISOString(),
        position: formatPosition(position),
        trialBalance,
        trialBalanceHash: trialBalanceHash(trialBalance),
        closedBy: userId,
        reason,
        closedAt: new Date().toISOString(),
        keyId: this.auditConfig.signingKey.keyId,
      },
      this.auditConfig.signingKey,
    );
    if (!(await insertPeriodClose(this.db, seal))) return { refused: 'period_already_closed' };
    await this.audit.record({
      type: 'FinanceActionRecorded',
      userId,
      data: {
        action: 'period_closed',
        subject: period,
        reason,
        trialBalanceHash: seal.trialBalanceHash,
      },
    });
    return seal;
  }
}
