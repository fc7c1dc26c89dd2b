import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { AmountMinorInput, IsSupportedCurrency } from '../http/validation';

export class CreateTopUpDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  walletId!: string;

  @AmountMinorInput('2500', 'Minor units')
  amountMinor!: number | string;

  @ApiProperty({ example: 'EUR', description: "The wallet's currency" })
  @IsSupportedCurrency()
  currency!: string;

  @ApiPropertyOptional({
    enum: ['card', 'mpesa'],
    default: 'card',
    description:
      "card: the browser confirms with clientSecret, or paymentMethodId is charged. mpesa: an M-Pesa prompt to the phone number on the wallet owner's profile; KES in whole shillings",
  })
  @IsOptional()
  @IsIn(['card', 'mpesa'], { message: 'method must be card or mpesa' })
  method?: 'card' | 'mpesa';

  @ApiPropertyOptional({
    example: 'pm_1NXWPn2eZvKYlo2C',
    description: 'A linked card to charge now; without it the browser confirms with clientSecret',
  })
  @IsOptional()
  @Matches(/^pm_[A-Za-z0-9_]{1,100}$/, {
    message: 'paymentMethodId must be a provider id such as pm_…',
  })
  paymentMethodId?: string;
}
