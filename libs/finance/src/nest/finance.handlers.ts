import { Inject, Injectable } from '@nestjs/common';
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
import {
  MOBILE_MONEY_GATEWAY,
  PAYMENT_GATEWAY,
  TransientGatewayError,
  type PaymentGateway,
} from '@ledger/payments';
import { AS_OF_WAIT_MS, pointAt, pointAtDetail, trialBalanceAsOf } from '@ledger/read-models';
import {
  listAdjustments,
  type FinanceAdjustment,
} from '../adjustments/finance-adjustments.repository';
import { FINANCE_CONFIG, type FinanceConfig } from '../finance.config';
import type { FinanceRefused } from '../finance.rejections';
import { periodBounds, signSeal, trialBalanceHash, type PeriodSeal } from '../periods/period-seal';
import { getPeriodClose, insertPeriodClose, listPeriodCloses } from '../periods/periods.repository';
import {
  changeBreak,
  getBreak,
  listBreaks,
  type StoredBreak,
} from '../reconciliation/breaks.repository';
import { parseReconciliationPeriod } from '../reconciliation/period-input';
import { runReconciliation, type ReconciliationResult } from '../reconciliation/reconciliation.run';
import type { Rail } from '../reconciliation/reconciliation.types';
import { FinanceAdjustments, type AdjustmentAnswer } from './finance-adjustments.service';
import { FinanceRefusal, refusedAsValue } from './finance-refusal';
import {
  AdjustmentsPageQuery,
  ApproveAdjustmentCommand,
  BreaksPageQuery,
  ClosePeriodCommand,
  ExplainBreakCommand,
  PeriodCloseQuery,
  PeriodClosesPageQuery,
  ReconciliationQuery,
  RecordReconciliationCommand,
  RejectAdjustmentCommand,
  RequestAdjustmentCommand,
  ResolveBreakCommand,
  type BreakResolution,
  type Page,
} from './finance.messages';

const BREAK_ID = /^brk_[0-9a-f]{24}$/;

/** Runs a reconciliation against every payment rail configured in this process. */
@Injectable()
export class FinanceReconciliation {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PAYMENT_GATEWAY) private readonly card: PaymentGateway,
    @Inject(MOBILE_MONEY_GATEWAY) private readonly mobile: PaymentGateway | null,
    @Inject(FINANCE_CONFIG) private readonly config: FinanceConfig,
  ) {}

  async run(
    from: string | undefined,
    to: string | undefined,
    record: boolean,
  ): Promise<ReconciliationResult> {
    const period = parseReconciliationPeriod(from, to);
    if (typeof period === 'string')
      throw new FinanceRefusal('invalid_reconciliation_period', period);
    const gateways: Array<{ rail: Rail; gateway: PaymentGateway }> = [
      { rail: 'card', gateway: this.card },
      ...(this.mobile ? [{ rail: 'mpesa' as const, gateway: this.mobile }] : []),
    ];
    try {
      return await runReconciliation(
        { db: this.db, store: this.store, gateways, config: this.config },
        period,
        { record },
      );
    } catch (error) {
      if (error instanceof TransientGatewayError)
        throw new FinanceRefusal('payment_provider_unavailable');
      throw error;
    }
  }
}

@QueryHandler(ReconciliationQuery)
export class ReconciliationHandler implements IQueryHandler<ReconciliationQuery> {
  constructor(private readonly reconciliation: FinanceReconciliation) {}
  execute({ from, to }: ReconciliationQuery): Promise<ReconciliationResult | FinanceRefused> {
    return refusedAsValue(() => this.reconciliation.run(from, to, false));
  }
}

@CommandHandler(RecordReconciliationCommand)
export class RecordReconciliationHandler implements ICommandHandler<RecordReconciliationCommand> {
  constructor(
    private readonly reconciliation: FinanceReconciliation,
    private readonly audit: SecurityAuditService,
  ) {}

  execute({
    userId,
    from,
    to,
  }: RecordReconciliationCommand): Promise<ReconciliationResult | FinanceRefused> {
    return refusedAsValue(async () => {
      const result = await this.reconciliation.run(from, to, true);
      await this.audit.record({
        type: 'FinanceActionRecorded',
        userId,
        data: {
          action: 'breaks_recorded',
          subject: `${result.from}/${result.to}`,
          reason: 'reconciliation run',
          breaks: result.breaks.length,
          matched: result.matched.length,
        },
      });
      return result;
    });
  }
}

@QueryHandler(BreaksPageQuery)
export class BreaksPageHandler implements IQueryHandler<BreaksPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ query }: BreaksPageQuery): Promise<Page<StoredBreak>> {
    return listBreaks(this.db, query);
  }
}

async function breakOrRefuse(db: SqlDatabase, breakId: string): Promise<StoredBreak> {
  const found = BREAK_ID.test(breakId) ? await getBreak(db, breakId) : undefined;
  if (!found) throw new FinanceRefusal('break_not_found');
  return found;
}

@CommandHandler(ExplainBreakCommand)
export class ExplainBreakHandler implements ICommandHandler<ExplainBreakCommand> {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly audit: SecurityAuditService,
  ) {}

  execute({ userId, breakId, reason }: ExplainBreakCommand): Promise<StoredBreak | FinanceRefused> {
    return refusedAsValue(async () => {
      const found = await breakOrRefuse(this.db, breakId);
      if (found.status !== 'open')
        throw new FinanceRefusal(
          found.status === 'resolved' ? 'break_already_resolved' : 'break_not_open',
        );
      const changed = await changeBreak(this.db, found.id, {
        status: 'explained',
        note: reason,
        by: userId,
      });
      if (!changed) throw new FinanceRefusal('break_not_open');
      await this.audit.record({
        type: 'FinanceActionRecorded',
        userId,
        data: { action: 'break_explained', subject: found.id, reason },
      });
      return changed;
    });
  }
}

@CommandHandler(ResolveBreakCommand)
export class ResolveBreakHandler implements ICommandHandler<ResolveBreakCommand> {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly adjustments: FinanceAdjustments,
  ) {}

  execute({
    userId,
    breakId,
    adjustment,
    commandId,
  }: ResolveBreakCommand): Promise<BreakResolution | FinanceRefused> {
    return refusedAsValue(async () => {
      const found = await breakOrRefuse(this.db, breakId);
      if (found.status === 'resolved') throw new FinanceRefusal('break_already_resolved');
      const answer = await this.adjustments.request(
        { userId },
        { ...adjustment, breakId: found.id },
        commandId,
      );
      return { answer, break: await getBreak(this.db, found.id) };
    });
  }
}

@CommandHandler(RequestAdjustmentCommand)
export class RequestAdjustmentHandler implements ICommandHandler<RequestAdjustmentCommand> {
  constructor(private readonly adjustments: FinanceAdjustments) {}
  execute({
    userId,
    request,
    commandId,
  }: RequestAdjustmentCommand): Promise<AdjustmentAnswer | FinanceRefused> {
    return refusedAsValue(() => this.adjustments.request({ userId }, request, commandId));
  }
}

@QueryHandler(AdjustmentsPageQuery)
export class AdjustmentsPageHandler implements IQueryHandler<AdjustmentsPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ query }: AdjustmentsPageQuery): Promise<Page<FinanceAdjustment>> {
    return listAdjustments(this.db, query);
  }
}

@CommandHandler(ApproveAdjustmentCommand)
export class ApproveAdjustmentHandler implements ICommandHandler<ApproveAdjustmentCommand> {
  constructor(private readonly adjustments: FinanceAdjustments) {}
  execute({
    userId,
    adjustmentId,
    reason,
  }: ApproveAdjustmentCommand): Promise<AdjustmentAnswer | FinanceRefused> {
    return refusedAsValue(() => this.adjustments.approve({ userId }, adjustmentId, reason));
  }
}

@CommandHandler(RejectAdjustmentCommand)
export class RejectAdjustmentHandler implements ICommandHandler<RejectAdjustmentCommand> {
  constructor(private readonly adjustments: FinanceAdjustments) {}
  execute({
    userId,
    adjustmentId,
    reason,
  }: RejectAdjustmentCommand): Promise<FinanceAdjustment | FinanceRefused> {
    return refusedAsValue(() => this.adjustments.reject({ userId }, adjustmentId, reason));
  }
}

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

export const FINANCE_HANDLERS = [
  ReconciliationHandler,
  RecordReconciliationHandler,
  BreaksPageHandler,
  ExplainBreakHandler,
  ResolveBreakHandler,
  RequestAdjustmentHandler,
  AdjustmentsPageHandler,
  ApproveAdjustmentHandler,
  RejectAdjustmentHandler,
  PeriodClosesPageHandler,
  PeriodCloseHandler,
  ClosePeriodHandler,
];
