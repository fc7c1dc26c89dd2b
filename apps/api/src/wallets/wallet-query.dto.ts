import { WALLET_EVENT_TYPES } from '@ledger/ledger';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { CursorPageQueryDto } from '../http/cursor-page.dto';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';

export class PositionQueryDto {
  @ApiPropertyOptional({
    description: 'Wait until the read models reflect this position (from a command response)',
  })
  @IsOptional()
  @IsString()
  @Length(3, 45)
  position?: string;
}

export class PageQueryDto extends CursorPageQueryDto(
  {
    cursor: { description: 'Opaque cursor from the previous page', maxLength: 200 },
    maxLimit: 200,
  },
  PositionQueryDto,
) {}

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
