import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsAmountMinor, IsSupportedCurrency } from '../http/validation';

/**
 * What a transfer would be: the sender's wallet, the amount, and exactly one
 * of toWalletId, toEmail, toPhone (the recipient the transfer would name) or
 * toCurrency (a currency alone, before a recipient is known).
 */
export class TransferQuoteDto {
  @ApiProperty({ format: 'uuid', description: "The sender's wallet; the caller must own it" })
  @IsUUID()
  fromWalletId!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  toWalletId?: string;

  @ApiPropertyOptional({ example: 'bob@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  toEmail?: string;

  @ApiPropertyOptional({ example: '+4915112345678' })
  @IsOptional()
  @Matches(/^\+[1-9][0-9]{6,14}$/, {
    message: 'toPhone must be an E.164 number such as +4915112345678',
  })
  toPhone?: string;

  @ApiPropertyOptional({ example: 'USD', description: 'The currency the recipient is paid in' })
  @IsOptional()
  @IsSupportedCurrency()
  toCurrency?: string;

  @ApiProperty({
    oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }],
    example: '1250',
    description: "Minor units of the sender's currency",
  })
  @IsAmountMinor()
  amountMinor!: number | string;
}

export class TransferQuoteView {
  @ApiProperty({ example: 'EUR', description: "The sender's currency" }) currency!: string;
  @ApiProperty({ example: '1250' }) amountMinor!: string;
  @ApiProperty({ example: 'USD', description: 'The currency the recipient is credited in' })
  creditCurrency!: string;
  @ApiProperty({ example: '1375', description: 'What the recipient gets, rounded down' })
  creditAmountMinor!: string;
  @ApiPropertyOptional({
    example: '1.10',
    description: 'Units of creditCurrency per unit of currency; absent when both are the same',
  })
  rate?: string;
  @ApiPropertyOptional({ example: 'configured', description: 'Where the rate came from' })
  rateSource?: string;
  @ApiPropertyOptional({ description: 'When the provider published the rate' })
  rateAsOf?: string;
  @ApiProperty({
    format: 'date-time',
    description:
      'Ask again after this: the rate is not held, a transfer takes the rate of the moment it is made',
  })
  expiresAt!: string;
}
