import { Command, Query } from '@nestjs/cqrs';
import type {
  FinanceAdjustment,
  AdjustmentStatus,
} from '../adjustments/finance-adjustments.repository';
import type { FinanceRefused } from '../finance.rejections';
import type { PeriodSeal } from '../periods/period-seal';
import type { BreakStatus, StoredBreak } from '../reconciliation/breaks.repository';
import type { ReconciliationResult } from '../reconciliation/reconciliation.run';
import type {
  AdjustmentAnswer,
  AdjustmentFields,
  AdjustmentRequest,
} from './finance-adjustments.service';

/**
 * Finance's commands and queries on the `@nestjs/cqrs` buses. A command names
 * the finance user who takes the step (`userId`, recorded in the security
 * audit trail with their reason); a refusal is answered as a `FinanceRefused`
 * value, never thrown.
 */

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Three-way reconciliation of [from, to); computed, nothing written. */
export class ReconciliationQuery extends Query<ReconciliationResult | FinanceRefused> {
  constructor(
    readonly from: string | undefined,
    readonly to: string | undefined,
  ) {
    super();
  }
}

/** Reconciles [from, to) and records the breaks found for finance. */
export class RecordReconciliationCommand extends Command<ReconciliationResult | FinanceRefused> {
  constructor(
    readonly userId: string,
    readonly from: string | undefined,
    readonly to: string | undefined,
  ) {
    super();
  }
}

/** Stored reconciliation breaks in id order, optionally of one status. */
export class BreaksPageQuery extends Query<Page<StoredBreak>> {
  constructor(
    readonly query: {
      readonly status?: BreakStatus;
      readonly after?: string;
      readonly limit: number;
    },
  ) {
    super();
  }
}

/** Marks an open break explained: a difference that is no error. */
export class ExplainBreakCommand extends Command<StoredBreak | FinanceRefused> {
  constructor(
    readonly userId: string,
    readonly breakId: string,
    readonly reason: string,
  ) {
    super();
  }
}

export interface BreakResolution {
  readonly answer: AdjustmentAnswer;
  /** The break after the adjustment: resolved once it is posted. */
  readonly break: StoredBreak | undefined;
}

/** Resolves a break with an adjustment, posted or awaiting a second finance user. */
export class ResolveBreakCommand extends Command<BreakResolution | FinanceRefused> {
  constructor(
    readonly userId: string,
    readonly breakId: string,
    readonly adjustment: AdjustmentFields & { readonly walletId: string },
    /** The request's command id (from its Idempotency-Key): the adjustment's id. */
    readonly commandId: string,
  ) {
    super();
  }
}

/** An adjustment or reversal of one wallet, posted or awaiting a second finance user. */
export class RequestAdjustmentCommand extends Command<AdjustmentAnswer | FinanceRefused> {
  constructor(
    readonly userId: string,
    readonly request: AdjustmentRequest,
    /** The request's command id (from its Idempotency-Key): the adjustment's id. */
    readonly commandId: string,
  ) {
    super();
  }
}

/** Adjustments and reversals finance asked for, newest first. */
export class AdjustmentsPageQuery extends Query<Page<FinanceAdjustment>> {
  constructor(
    readonly query: {
      readonly status?: AdjustmentStatus;
      readonly before?: string;
      readonly limit: number;
    },
  ) {
    super();
  }
}

/** A second finance user's approval: the adjustment is posted. */
export class ApproveAdjustmentCommand extends Command<AdjustmentAnswer | FinanceRefused> {
  constructor(
    readonly userId: string,
    readonly adjustmentId: string,
    readonly reason: string,
  ) {
    super();
  }
}

/** A waiting adjustment will not be posted. */
export class RejectAdjustmentCommand extends Command<FinanceAdjustment | FinanceRefused> {
  constructor(
    readonly userId: string,
    readonly adjustmentId: string,
    readonly reason: string,
  ) {
    super();
  }
}

/** Closed months and their signed seals, newest first; `before` is a month. */
export class PeriodClosesPageQuery extends Query<Page<PeriodSeal>> {
  constructor(
    readonly before: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

/** A closed month's seal; undefined when the month is not closed. */
export class PeriodCloseQuery extends Query<PeriodSeal | undefined> {
  constructor(readonly period: string) {
    super();
  }
}

/**
 * Closes a month: its trial balance as of the last event dated before the
 * month's end is sealed (hashed and signed with the checkpoint key) and from
 * then on nothing may be dated inside it.
 */
export class ClosePeriodCommand extends Command<PeriodSeal | FinanceRefused> {
  constructor(
    readonly userId: string,
    readonly period: string,
    readonly reason: string,
  ) {
    super();
  }
}
