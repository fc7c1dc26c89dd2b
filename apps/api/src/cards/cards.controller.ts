import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import {
  PAYMENT_GATEWAY,
  PermanentGatewayError,
  TransientGatewayError,
  type PaymentGateway,
} from '@ledger/payments';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { RejectionException } from '../http/rejection';

const PAYMENT_METHOD_ID = /^pm_[A-Za-z0-9_]{1,100}$/;

/**
 * Linked cards. The card details go from the browser to the provider through
 * a SetupIntent's client secret; the ledger keeps and shows only provider ids
 * and display hints (brand, last four digits, expiry). A linked card can pay
 * for a top-up (`paymentMethodId` on POST /top-ups).
 */
@ApiTags('cards')
@ApiBearerAuth()
@Controller('cards')
export class CardsController {
  constructor(@Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway) {}

  /** Starts linking a card: the frontend confirms the returned client secret with the provider's SDK. */
  @Post('setup-intents')
  @Idempotent()
  async setUp(
    @CurrentPrincipal() principal: Principal,
    @Req() req: { idempotency: IdempotencyContext },
  ) {
    const intent = await this.call(() =>
      this.gateway.createSetupIntent({
        customerRef: customerRefOf(principal),
        metadata: { user_id: principal.userId },
        idempotencyKey: `setup:${req.idempotency.commandId}`,
      }),
    );
    return { setupIntentId: intent.setupIntentId, clientSecret: intent.clientSecret };
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    const cards = await this.call(() => this.gateway.listPaymentMethods(customerRefOf(principal)));
    return { items: cards };
  }

  /** Unlinks one of the caller's cards; another customer's card answers 404, like a missing one. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    if (!PAYMENT_METHOD_ID.test(id)) throw new RejectionException('card_not_found');
    const cards = await this.call(() => this.gateway.listPaymentMethods(customerRefOf(principal)));
    if (!cards.some((card) => card.paymentMethodId === id))
      throw new RejectionException('card_not_found');
    await this.call(() =>
      this.gateway.detachPaymentMethod({ paymentMethodId: id, idempotencyKey: `detach:${id}` }),
    );
  }

  /** Provider failures become named refusals; nothing of the provider's message reaches the client. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof TransientGatewayError)
        throw new RejectionException('payment_provider_unavailable');
      if (error instanceof PermanentGatewayError)
        throw new RejectionException('payment_provider_refused');
      throw error;
    }
  }
}

/**
 * The provider customer a user's cards and payments belong to. Top-ups use
 * the same reference, so a linked card can pay for one.
 */
export function customerRefOf(principal: Principal): string {
  return principal.userId;
}
