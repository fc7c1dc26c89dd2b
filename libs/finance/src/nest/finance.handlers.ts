import {
  RequestAdjustmentHandler,
  AdjustmentsPageHandler,
  ApproveAdjustmentHandler,
  RejectAdjustmentHandler,
} from './adjustment.handlers';
import { PeriodClosesPageHandler, PeriodCloseHandler, ClosePeriodHandler } from './period.handlers';
import {
  ReconciliationHandler,
  RecordReconciliationHandler,
  BreaksPageHandler,
  ExplainBreakHandler,
  ResolveBreakHandler,
} from './reconciliation.handlers';

export * from './adjustment.handlers';
export * from './period.handlers';
export * from './reconciliation.handlers';

/** Every handler of the finance messages, for `FinanceModule`. */
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
