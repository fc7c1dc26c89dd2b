import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MovementAcceptedView } from '../transfers/transfer.dto';
import { WalletView } from '../wallets/wallet.dto';

/**
 * Response shapes the OpenAPI document declares, so that generated clients
 * type what routes answer. They describe existing answers; routes build
 * plain objects.
 */
export class WalletPage {
  @ApiProperty({ type: [WalletView] }) items!: WalletView[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class TopUpAcceptedView extends MovementAcceptedView {
  @ApiPropertyOptional({
    description: "Handed to the payment provider's SDK in the browser to confirm the payment",
  })
  clientSecret?: string;
}

export class CardView {
  @ApiProperty({ example: 'pm_1Q…' }) paymentMethodId!: string;
  @ApiPropertyOptional({ example: 'visa' }) brand?: string;
  @ApiPropertyOptional({ example: '4242' }) last4?: string;
  @ApiPropertyOptional({ example: 12 }) expMonth?: number;
  @ApiPropertyOptional({ example: 2030 }) expYear?: number;
}

export class CardList {
  @ApiProperty({ type: [CardView] }) items!: CardView[];
}

export class CardSetupView {
  @ApiProperty() setupIntentId!: string;
  @ApiProperty({ description: "Confirmed with the payment provider's SDK in the browser" })
  clientSecret!: string;
}

export class PayoutDestinationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['bank_account', 'connected_account'] }) type!: string;
  @ApiProperty() providerRef!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class PayoutDestinationList {
  @ApiProperty({ type: [PayoutDestinationView] }) items!: PayoutDestinationView[];
}
