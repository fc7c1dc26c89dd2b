/** The reconciliation's messages: runs against the payment rails, and the breaks they find. */
import { Inject, Injectable } from '@nestjs/common';
import {
  CommandHandler,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { SecurityAuditService } from '@ledger/identity';
import {
  MOBILE_MONEY_GATEWAY,
  PAYMENT_GATEWAY,
  TransientGatewayError,
  type PaymentGateway,
} from '@ledger/payments';
import { FINANCE_CONFIG, type FinanceConfig } from '../finance.config';
import type { FinanceRefused } from '../finance.rejections';
import {
  changeBreak,
  getBreak,
  listBreaks,
  type StoredBreak,
} from '../reconciliation/breaks.repository';
import { parseReconciliationPeriod } from '../reconciliation/period-input';
import { runReconciliation, type ReconciliationResult } from '../reconciliation/reconciliation.run';
import type { Rail } from '../reconciliation/reconciliation.types';
import { FinanceAdjustments } from './finance-adjustments.service';
import { FinanceRefusal, refusedAsValue } from './finance-refusal';
import {
  BreaksPageQuery,
  ExplainBreakCommand,
  ReconciliationQuery,
  RecordReconciliationCommand,
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
