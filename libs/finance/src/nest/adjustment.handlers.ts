/** The four-eyes adjustments' messages; `FinanceAdjustments` holds the flow. */
import { Inject } from '@nestjs/common';
import {
  CommandHandler,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import {
  listAdjustments,
  type FinanceAdjustment,
} from '../adjustments/finance-adjustments.repository';
import type { FinanceRefused } from '../finance.rejections';
import { FinanceAdjustments, type AdjustmentAnswer } from './finance-adjustments.service';
import { refusedAsValue } from './finance-refusal';
import {
  AdjustmentsPageQuery,
  ApproveAdjustmentCommand,
  RejectAdjustmentCommand,
  RequestAdjustmentCommand,
  type Page,
} from './finance.messages';

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
