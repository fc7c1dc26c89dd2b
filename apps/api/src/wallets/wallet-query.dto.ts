import { WALLET_EVENT_TYPES } from '@ledger/ledger';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';

export class PositionQueryDto {
  @ApiPropertyOptional({
    description: 'Wait until the read models reflect this position (from a command response)',
  })
  @IsOptional()
  @IsString()
  @Length(3, 45)
  position?: string;
}

export class PageQueryDto extends PositionQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ListWalletsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Staff only: wallets of this owner' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

/** Every event type a wallet's history can hold. */
export const HISTORY_TYPES = WALLET_EVENT_TYPES;
export const ENTRY_KINDS = [
  'top_up',
  'withdrawal',
  'transfer',
  'payment',
  'refund',
  'adjustment',
  'reversal',
  'fx',
] as const;

export class HistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: HISTORY_TYPES })
  @IsOptional()
  @IsIn(HISTORY_TYPES)
  type?: string;

  @ApiPropertyOptional({ enum: ENTRY_KINDS })
  @IsOptional()
  @IsIn(ENTRY_KINDS)
  kind?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
