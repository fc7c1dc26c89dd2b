import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { SYSTEM_ACCOUNTS, type SystemAccount } from '@ledger/ledger';
import { IsAmountMinor, IsSupportedCurrency } from '../http/validation';

export class OpenWalletDto {
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency code' })
  @IsSupportedCurrency()
  currency!: string;
}

export class AdjustmentDto {
  @ApiProperty({
    enum: ['credit', 'debit'],
    description: 'credit raises the wallet balance, debit lowers it',
  })
  @IsIn(['credit', 'debit'])
  direction!: 'credit' | 'debit';

  @ApiProperty({
    oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }],
    example: '1250',
    description: 'Minor units',
  })
  @IsAmountMinor()
  amountMinor!: number | string;

  @ApiProperty({ example: 'EUR' })
  @IsSupportedCurrency()
  currency!: string;

  @ApiProperty({
    enum: SYSTEM_ACCOUNTS,
    description: 'The system account on the other side of the entry',
  })
  @IsIn(SYSTEM_ACCOUNTS as unknown as string[])
  account!: SystemAccount;

  @ApiProperty({
    example: 'Correct duplicate card settlement 2026-11-20',
    minLength: 3,
    maxLength: 500,
  })
  @IsString()
  @Length(3, 500)
  reason!: string;

  @ApiPropertyOptional({ description: 'Entry id this adjustment reverses', format: 'uuid' })
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/)
  reverses?: string;
}

export class FreezeDto {
  @ApiProperty({ minLength: 3, maxLength: 500 })
  @IsString()
  @Length(3, 500)
  reason!: string;
}

export class WalletView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() ownerId!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ enum: ['open', 'frozen', 'closed'] }) status!: string;
  @ApiProperty({ example: '1250', description: 'Posted balance, minor units' })
  postedMinor!: string;
  @ApiProperty({ example: '0', description: 'Sum of open holds, minor units' }) heldMinor!: string;
  @ApiProperty({ example: '1250', description: 'posted - held, minor units' })
  availableMinor!: string;
  @ApiProperty({ example: '3', description: 'Stream revision of the last event reflected' })
  revision!: string;
  @ApiPropertyOptional({
    description: 'Global log position of the write; pass as ?position= to read your own write',
  })
  position?: string;
}
