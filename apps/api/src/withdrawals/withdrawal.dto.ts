import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { IsAmountMinor, IsSupportedCurrency } from '../http/validation';

export class CreateWithdrawalDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  walletId!: string;

  @ApiProperty({
    oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }],
    example: '5000',
    description: 'Minor units',
  })
  @IsAmountMinor()
  amountMinor!: number | string;

  @ApiProperty({ example: 'EUR', description: "The wallet's currency" })
  @IsSupportedCurrency()
  currency!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'A linked payout destination (POST /payout-destinations)',
  })
  @IsUUID()
  destinationId!: string;
}
