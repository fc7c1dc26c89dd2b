import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { AmountMinorInput, IsSupportedCurrency } from '../http/validation';

/** Exactly one of toWalletId, toEmail and toPhone names the recipient. */
export class CreateTransferDto {
  @ApiProperty({ format: 'uuid', description: "The sender's wallet; the caller must own it" })
  @IsUUID()
  fromWalletId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A wallet of the caller or of someone else' })
  @IsOptional()
  @IsUUID()
  toWalletId?: string;

  @ApiPropertyOptional({
    example: 'bob@example.com',
    description: "The recipient's account e-mail",
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  toEmail?: string;

  @ApiPropertyOptional({
    example: '+4915112345678',
    description: "The recipient's phone number, E.164",
  })
  @IsOptional()
  @Matches(/^\+[1-9][0-9]{6,14}$/, {
    message: 'toPhone must be an E.164 number such as +4915112345678',
  })
  toPhone?: string;

  @AmountMinorInput('1250', "Minor units of the sender's currency")
  amountMinor!: number | string;

  @ApiProperty({
    example: 'EUR',
    description:
      "The sender's wallet currency; a recipient in another currency is credited at the current rate",
  })
  @IsSupportedCurrency()
  currency!: string;

  @ApiPropertyOptional({ maxLength: 140 })
  @IsOptional()
  @IsString()
  @Length(1, 140)
  description?: string;
}

export class MovementAcceptedView {
  @ApiProperty({
    example: 'transfer-4b6c…',
    description: 'The movement id; GET /movements/{id} follows it',
  })
  id!: string;
  @ApiProperty({ enum: ['pending', 'completed', 'failed'] }) status!: string;
  @ApiPropertyOptional({
    description: 'Global log position of the request; pass as ?position= to read your own write',
  })
  position?: string;
  @ApiPropertyOptional({
    enum: [true],
    description: 'Only on POST /payments: the order was paid before and this is its first payment',
  })
  repeated?: true;
}
