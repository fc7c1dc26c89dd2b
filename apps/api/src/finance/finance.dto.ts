import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import {
  ADJUSTMENT_STATUSES,
  BREAK_STATUSES,
  type AdjustmentStatus,
  type BreakStatus,
} from '@ledger/finance';
import type { AdjustmentFields } from '@ledger/finance/nest';
import { SYSTEM_ACCOUNTS, type SystemAccount } from '@ledger/ledger';
import { CursorPageQueryDto } from '../http/cursor-page.dto';
import { AmountMinorInput, IsSupportedCurrency } from '../http/validation';

/**
 * Both are required; they are optional to validation so that a missing one
 * is refused naming both (`invalid_reconciliation_period`), as a bad one is.
 */
export class ReconciliationQueryDto {
  @ApiProperty({
    example: '2026-11-01',
    description: 'Start of the period (inclusive): ISO date or date-time',
  })
  @IsOptional()
  @IsString()
  @Length(10, 29)
  from?: string;

  @ApiProperty({
    example: '2026-12-01',
    description: 'End of the period (exclusive), at most 93 days after from',
  })
  @IsOptional()
  @IsString()
  @Length(10, 29)
  to?: string;
}

export class ReasonDto {
  @ApiProperty({ minLength: 3, maxLength: 500, example: 'Provider fee booked in December' })
  @IsString()
  @Length(3, 500)
  reason!: string;
}

const PageDto = CursorPageQueryDto({
  cursor: { description: 'The nextCursor of the previous page', maxLength: 64 },
  maxLimit: 200,
});

export class BreaksQueryDto extends PageDto {
  @ApiPropertyOptional({ enum: BREAK_STATUSES })
  @IsOptional()
  @IsIn(BREAK_STATUSES)
  status?: BreakStatus;
}

export class AdjustmentsQueryDto extends PageDto {
  @ApiPropertyOptional({ enum: ADJUSTMENT_STATUSES })
  @IsOptional()
  @IsIn(ADJUSTMENT_STATUSES)
  status?: AdjustmentStatus;
}

export class PeriodsQueryDto extends PageDto {}

/** The fields of an adjustment that finance gives, on a wallet's route or a break's. */
export class AdjustmentFieldsDto implements AdjustmentFields {
  @ApiProperty({
    enum: ['credit', 'debit'],
    description: 'credit raises the wallet balance, debit lowers it',
  })
  @IsIn(['credit', 'debit'])
  direction!: 'credit' | 'debit';

  @AmountMinorInput('1250', 'Minor units')
  amountMinor!: number | string;

  @ApiProperty({ example: 'EUR' })
  @IsSupportedCurrency()
  currency!: string;

  @ApiProperty({
    enum: SYSTEM_ACCOUNTS,
    description: 'The system account on the other side of the entry',
  })
  @IsIn(SYSTEM_ACCOUNTS)
  account!: SystemAccount;

  @ApiProperty({
    example: 'Correct duplicate card settlement 2026-11-20',
    minLength: 3,
    maxLength: 500,
  })
  @IsString()
  @Length(3, 500)
  reason!: string;

  @ApiPropertyOptional({
    description: 'What this corrects: an entry or movement id, or a closed month (YYYY-MM)',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @Length(3, 100)
  @Matches(/^[A-Za-z0-9_:.-]+$/)
  corrects?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'The moment the correction belongs to (default now); it must lie in an open month and not in the future',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Length(1, 40)
  effectiveAt?: string;
}

export class ResolveBreakDto extends AdjustmentFieldsDto {
  @ApiProperty({ format: 'uuid', description: 'The wallet the adjustment posts to' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  walletId!: string;
}
