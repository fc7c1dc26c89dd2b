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
