import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { AmountMinorInput, IsSupportedCurrency } from '../http/validation';
import { CounterpartyView } from '../movements/movement-list.dto';
import { PageQueryDto } from '../wallets/wallet-query.dto';

/** An order reference: printable ASCII without spaces, as merchants' order numbers are. */
const REFERENCE = /^[\x21-\x7e]{1,64}$/;

export class CreatePaymentDto {
  @ApiProperty({ format: 'uuid', description: 'The merchant: a user with the merchant role' })
  @IsUUID()
  merchantId!: string;

  @ApiProperty({ format: 'uuid', description: "The payer's wallet; the caller must own it" })
  @IsUUID()
  walletId!: string;

  @AmountMinorInput('1999', 'Minor units of the currency')
  amountMinor!: number | string;

  @ApiProperty({
    example: 'EUR',
    description: "The payer's wallet currency; the merchant needs a wallet in it",
  })
  @IsSupportedCurrency()
  currency!: string;

  @ApiProperty({
    example: 'order-1234',
    description:
      'The order reference, unique per merchant: paying it again answers the first payment',
    maxLength: 64,
  })
  @Matches(REFERENCE, {
    message: 'reference must be 1 to 64 printable ASCII characters without spaces',
  })
  reference!: string;
}

export class CreateRefundDto {
  @AmountMinorInput(
    '500',
    "Minor units of the payment's currency; all refunds together never exceed it",
  )
  amountMinor!: number | string;

  @ApiPropertyOptional({ maxLength: 140, example: 'item out of stock' })
  @IsOptional()
  @IsString()
  @Length(1, 140)
  reason?: string;
}

export class ListPaymentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'order-1234', description: 'Only the payment of this order' })
  @IsOptional()
  @Matches(REFERENCE, {
    message: 'reference must be 1 to 64 printable ASCII characters without spaces',
  })
  reference?: string;
}

export class RefundItemView {
  @ApiProperty({ example: 'transfer-7a2f…' }) id!: string;
  @ApiProperty({ enum: ['pending', 'completed', 'failed'] }) status!: string;
  @ApiProperty({ example: '500' }) amountMinor!: string;
}

export class PaymentItemView {
  @ApiProperty({
    example: 'transfer-9d1e…',
    description: 'The payment, a movement of kind payment',
  })
  id!: string;
  @ApiProperty({ enum: ['pending', 'completed', 'failed'] }) status!: string;
  @ApiProperty({ example: '1999' }) amountMinor!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: 'order-1234' }) reference!: string;
  @ApiProperty({ format: 'uuid', description: "The merchant's wallet it was credited to" })
  walletId!: string;
  @ApiPropertyOptional({ type: CounterpartyView, description: 'The payer' })
  payer?: CounterpartyView;
  @ApiProperty({ example: '500', description: 'Refunded and completed' })
  refundedMinor!: string;
  @ApiProperty({ example: '0', description: 'Refunds still in flight' })
  refundPendingMinor!: string;
  @ApiProperty({ example: '1499', description: 'What may still be refunded' })
  refundableMinor!: string;
  @ApiProperty({ type: [RefundItemView] }) refunds!: RefundItemView[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) completedAt?: string;
}

export class PaymentPageView {
  @ApiProperty({ type: [PaymentItemView] }) items!: PaymentItemView[];
  @ApiPropertyOptional({ description: 'Pass back as ?cursor= for the next page' })
  nextCursor?: string;
}
