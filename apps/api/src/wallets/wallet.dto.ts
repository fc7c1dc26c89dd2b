import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { AdjustmentFieldsDto } from '../finance/finance.dto';
import { IsSupportedCurrency } from '../http/validation';

export class OpenWalletDto {
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency code' })
  @IsSupportedCurrency()
  currency!: string;
}

export class AdjustmentDto extends AdjustmentFieldsDto {
  @ApiPropertyOptional({
    description:
      'Entry id this reversal compensates: the opposite direction, at most what is left of it',
    format: 'uuid',
  })
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

/** One event of a wallet's journal, as GET /wallets/{id}/history lists it. */
export class WalletHistoryEntryView {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ format: 'uuid' }) walletId!: string;
  @ApiProperty({ example: '3', description: "The event's revision in the wallet's stream" })
  revision!: string;
  @ApiProperty({ example: 'WalletCredited', description: 'The wallet event type' }) type!: string;
  @ApiPropertyOptional({
    enum: ['credit', 'debit', 'hold', 'release'],
    description: 'credit and debit move the posted balance; hold and release the held amount',
  })
  direction?: 'credit' | 'debit' | 'hold' | 'release';
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2500',
    description: 'Minor units; null for events that move no money (opened, frozen, …)',
  })
  amountMinor!: string | null;
  @ApiPropertyOptional({ example: 'EUR' }) currency?: string;
  @ApiPropertyOptional({
    example: 'system:card_clearing',
    description: 'The contra account of the entry',
  })
  contra?: string;
  @ApiPropertyOptional({ example: 'top_up', description: 'What the entry is part of' })
  kind?: string;
  @ApiPropertyOptional({ description: 'The entry id or hold id the event carries' })
  reference?: string;
  @ApiPropertyOptional({ example: 'topup-4b6c…', description: 'The movement it belongs to' })
  movementId?: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ description: 'Global log position of the event' }) position!: string;
}

export class WalletHistoryPageView {
  @ApiProperty({ type: [WalletHistoryEntryView], description: 'Newest first' })
  items!: WalletHistoryEntryView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
}
