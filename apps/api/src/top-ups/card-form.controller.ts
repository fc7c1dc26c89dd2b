import { Controller, Get, Inject } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { CARD_FORM, type CardForm } from './card-form';

export class CardFormView {
  @ApiProperty({
    enum: ['sandbox', 'stripe'],
    description: "sandbox: the sandbox's own form, settled by itself; stripe: Stripe Elements",
  })
  provider!: 'sandbox' | 'stripe';
  @ApiPropertyOptional({
    example: 'pk_test_…',
    description:
      'Stripe only: the publishable key Stripe.js starts with (a public value); absent when none is configured',
  })
  publishableKey?: string;
}

@ApiTags('top-ups')
@ApiBearerAuth()
@Controller('top-ups')
export class CardFormController {
  constructor(@Inject(CARD_FORM) private readonly form: CardForm) {}

  /** Which card form to show before POST /top-ups, and what it needs to start. */
  @Get('card-form')
  @ApiOkResponse({ type: CardFormView })
  cardForm(): CardFormView {
    return { ...this.form };
  }
}
