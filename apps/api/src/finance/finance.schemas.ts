import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ADJUSTMENT_STATUSES, BREAK_KINDS, BREAK_STATUSES } from '@ledger/finance';

/**
 * Response shapes of the finance routes as the OpenAPI document declares
 * them, so that generated clients type what the routes answer. They describe
 * the existing answers (amounts as strings); the routes build plain objects.
 */

const RAILS = ['card', 'mpesa'];
const OBJECT_TYPES = ['charge', 'refund', 'payout'];

class ProviderCoverageView {
  @ApiProperty({ example: 'sandbox' }) provider!: string;
  @ApiProperty({ enum: RAILS }) rail!: string;
  @ApiProperty({
    enum: ['complete', 'truncated', 'not_supported'],
    description: "`not_supported`: matched against the ledger's own record only (M-Pesa)",
  })
  report!: string;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({ example: 12 }) items!: number;
}

class MatchedItemView {
  @ApiProperty({ example: 'sandbox' }) provider!: string;
  @ApiProperty({ enum: OBJECT_TYPES }) type!: string;
  @ApiProperty({ example: 'pi_3Q…' }) objectId!: string;
  @ApiProperty() movementId!: string;
  @ApiProperty({ example: '2500' }) amountMinor!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
}

/** The fields every break has, found by a run or stored. */
class BreakFieldsView {
  @ApiProperty({
    example: 'brk_0123456789abcdef01234567',
    description:
      'Derived from kind, subject and currency: the same difference found again is the same break',
  })
  id!: string;
  @ApiProperty({ enum: BREAK_KINDS }) kind!: string;
  @ApiProperty({ example: 'sandbox', description: "The gateway's provider name, or `ledger`" })
  provider!: string;
  @ApiProperty({
    description: 'The provider object, the movement, or the clearing account the break is about',
  })
  objectId!: string;
  @ApiPropertyOptional({ example: 'EUR' }) currency?: string;
  @ApiPropertyOptional({ example: '2500' }) ledgerAmountMinor?: string;
  @ApiPropertyOptional({ example: '2400' }) providerAmountMinor?: string;
  @ApiProperty() detail!: string;
  @ApiProperty({ enum: BREAK_STATUSES }) status!: string;
}

/** A break as a reconciliation run reports it, with its stored status. */
export class ReportedBreakView extends BreakFieldsView {
  @ApiPropertyOptional() movementId?: string;
}

/** A break as finance keeps it. */
export class StoredBreakView extends BreakFieldsView {
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The adjustment that resolved it' })
  resolvedByAdjustment!: string | null;
  @ApiProperty({ type: String, nullable: true }) changedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) firstSeenAt!: string;
  @ApiProperty({ format: 'date-time' }) lastSeenAt!: string;
}

export class StoredBreakPageView {
  @ApiProperty({ type: [StoredBreakView], description: 'In id order' }) items!: StoredBreakView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

class ClearingLineView {
  @ApiProperty({ enum: ['system:card_clearing', 'system:payouts_clearing'] }) account!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '0', description: 'Debits minus credits at the start of the period' })
  openingMinor!: string;
  @ApiProperty({ example: '2500', description: 'What the providers settled in the period' })
  settledMinor!: string;
  @ApiProperty({ example: '2500', description: 'opening + settled' }) expectedMinor!: string;
  @ApiProperty({ example: '2500' }) actualMinor!: string;
  @ApiProperty({ example: '0' }) differenceMinor!: string;
}

export class ReconciliationView {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: [ProviderCoverageView] }) providers!: ProviderCoverageView[];
  @ApiProperty({ example: 40 }) movements!: number;
  @ApiProperty({
    description: 'More movements fell in the period than one run reads: reconcile a shorter period',
  })
  truncated!: boolean;
  @ApiProperty({ type: [MatchedItemView] }) matched!: MatchedItemView[];
  @ApiProperty({ type: [ReportedBreakView] }) breaks!: ReportedBreakView[];
  @ApiProperty({
    type: [ClearingLineView],
    nullable: true,
    description: 'Null when the balance history does not reach back to `from`',
  })
  clearing!: ClearingLineView[] | null;
}

export class FinanceAdjustmentView {
  @ApiProperty({ description: 'Also the command id of its posting' }) id!: string;
  @ApiProperty() walletId!: string;
  @ApiProperty({ enum: ['credit', 'debit'] }) direction!: string;
  @ApiProperty({ example: '2500' }) amountMinor!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: 'adjustments' }) account!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The entry a reversal compensates' })
  reverses!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'What a correction corrects' })
  corrects!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The reconciliation break it resolves',
  })
  breakId!: string | null;
  @ApiProperty({ format: 'date-time' }) effectiveAt!: string;
  @ApiProperty() requestedBy!: string;
  @ApiProperty({ enum: ADJUSTMENT_STATUSES }) status!: string;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) decisionReason!: string | null;
  @ApiProperty({ type: String, nullable: true }) entryId!: string | null;
  @ApiProperty({ type: String, nullable: true }) rejection!: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
}

export class FinanceAdjustmentPageView {
  @ApiProperty({ type: [FinanceAdjustmentView], description: 'Newest first' })
  items!: FinanceAdjustmentView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
}

export class ResolvedBreakView {
  @ApiProperty({ type: FinanceAdjustmentView }) adjustment!: FinanceAdjustmentView;
  @ApiProperty({ type: StoredBreakView }) break!: StoredBreakView;
}

export class ApprovedAdjustmentView {
  @ApiProperty({ type: FinanceAdjustmentView }) adjustment!: FinanceAdjustmentView;
  @ApiPropertyOptional({ description: 'The log position of the posted entry' }) position?: string;
}

class SealedTrialBalanceLineView {
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '2500' }) debitsMinor!: string;
  @ApiProperty({ example: '2500' }) creditsMinor!: string;
  @ApiProperty() balanced!: boolean;
}

export class PeriodSealView {
  @ApiProperty({ enum: ['ledger-period-close-v1'] }) version!: string;
  @ApiProperty({ example: '2026-10', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }) period!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ description: 'The log position the trial balance stands at' }) position!: string;
  @ApiProperty({ type: [SealedTrialBalanceLineView] })
  trialBalance!: SealedTrialBalanceLineView[];
  @ApiProperty({ description: 'sha256 of the canonical JSON of trialBalance, hex' })
  trialBalanceHash!: string;
  @ApiProperty() closedBy!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) closedAt!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'Ed25519 over the canonical JSON of every other field, base64' })
  signature!: string;
}

export class PeriodSealPageView {
  @ApiProperty({ type: [PeriodSealView], description: 'Newest first' }) items!: PeriodSealView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
}
