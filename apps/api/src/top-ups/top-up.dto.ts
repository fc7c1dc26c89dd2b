import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { IsAmountMinor, IsSupportedCurrency } from '../http/validation';

export class CreateTopUpDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  walletId!: string;

  @ApiProperty({
    oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }],
    example: '2500',
    description: 'Minor units',
  })
  @IsAmountMinor()
  amountMinor!: number | string;

  @ApiProperty({ example: 'EUR', description: "The wallet's currency" })
  @IsSupportedCurrency()
  currency!: string;

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
