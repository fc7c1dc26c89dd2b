import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { AmountMinorInput, IsSupportedCurrency } from '../http/validation';

export class CreateWithdrawalDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  walletId!: string;

  @AmountMinorInput('5000', 'Minor units')
  amountMinor!: number | string;

  @ApiProperty({ example: 'EUR', description: "The wallet's currency" })
  @IsSupportedCurrency()
  currency!: string;

  @ApiPropertyOptional({
    enum: ['bank_account', 'mpesa'],
    default: 'bank_account',
    description:
      "bank_account: to a linked payout destination (destinationId). mpesa: to the phone number on the owner's profile; KES in whole shillings",
  })
  @IsOptional()
  @IsIn(['bank_account', 'mpesa'], { message: 'method must be bank_account or mpesa' })
  method?: 'bank_account' | 'mpesa';

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'A linked payout destination (POST /payout-destinations); required for bank_account',
  })
  @IsOptional()
  @IsUUID()
  destinationId?: string;
}
