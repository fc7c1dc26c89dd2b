import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CardList, CardSetupView, CardView } from '../http/views';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import {
  PAYMENT_GATEWAY,
  PermanentGatewayError,
  TransientGatewayError,
  type PaymentGateway,
} from '@ledger/payments';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { RejectionException } from '../http/rejection';
import { PaymentCustomers } from '@ledger/movements';

const PAYMENT_METHOD_ID = /^pm_[A-Za-z0-9_]{1,100}$/;
const SETUP_INTENT_ID = /^seti_[A-Za-z0-9_]{1,100}$/;

/**
 * Linked cards. The card details go from the browser to the provider through
 * a SetupIntent's client secret; the ledger keeps and shows only provider ids
 * and display hints (brand, last four digits, expiry). A linked card can pay
 * for a top-up (`paymentMethodId` on POST /top-ups). Every card belongs to the
 * caller's own customer at the provider (`PaymentCustomers`); another user's
 * card answers exactly like a missing one.
 */
@ApiTags('cards')
@ApiBearerAuth()
@Controller('cards')
export class CardsController {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly customers: PaymentCustomers,
  ) {}

  /** Starts linking a card: the frontend confirms the returned client secret with the provider's SDK. */
  @Post('setup-intents')
  @ApiCreatedResponse({ type: CardSetupView })
  @Idempotent()
  async setUp(
    @CurrentPrincipal() principal: Principal,
    @Req() req: { idempotency: IdempotencyContext },
  ) {
    const customerRef = await this.call(() => this.customers.ensure(principal.userId));
    const intent = await this.call(() =>
      this.gateway.createSetupIntent({
        customerRef,
        metadata: { user_id: principal.userId },
        idempotencyKey: `setup:${req.idempotency.commandId}`,
      }),
    );
    return { setupIntentId: intent.setupIntentId, clientSecret: intent.clientSecret };
  }

  /**
   * Finishes linking a card the browser confirmed with the provider's own form
   * (Stripe Elements' confirmCardSetup): answers the card the SetupIntent
   * attached to the caller's customer. It writes nothing of its own (the
   * provider holds the card, GET /cards lists it), so a retry answers the
   * same. Another user's SetupIntent answers 404 like a missing one; one the
   * provider has not confirmed is 409 `setup_intent_not_succeeded`.
   */
  @Post('setup-intents/:id/confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: CardView })
  async confirmSetUp(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const retrieve = this.gateway.retrieveSetupIntent?.bind(this.gateway);
    if (!retrieve || !SETUP_INTENT_ID.test(id))
      throw new RejectionException('setup_intent_not_found');
    const customerRef = await this.customers.find(principal.userId);
    if (!customerRef) throw new RejectionException('setup_intent_not_found');
    const intent = await this.call(() => retrieve(id));
    if (!intent || intent.customerRef !== customerRef)
      throw new RejectionException('setup_intent_not_found');
    if (intent.status !== 'succeeded' || !intent.paymentMethodId)
      throw new RejectionException('setup_intent_not_succeeded');
    const paymentMethodId = intent.paymentMethodId;
    const cards = await this.call(() => this.gateway.listPaymentMethods(customerRef));
    const card = cards.find((c) => c.paymentMethodId === paymentMethodId);
    // Linked, then unlinked since: the card is gone, as DELETE /cards/:id left it.
    if (!card) throw new RejectionException('card_not_found');
    return card;
  }

  @Get()
  @ApiOkResponse({ type: CardList })
  async list(@CurrentPrincipal() principal: Principal) {
    const customerRef = await this.customers.find(principal.userId);
    if (!customerRef) return { items: [] };
    const cards = await this.call(() => this.gateway.listPaymentMethods(customerRef));
    return { items: cards };
  }

  /** Unlinks one of the caller's cards; another customer's card answers 404, like a missing one. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    if (!PAYMENT_METHOD_ID.test(id)) throw new RejectionException('card_not_found');
    const customerRef = await this.customers.find(principal.userId);
    if (!customerRef) throw new RejectionException('card_not_found');
    const cards = await this.call(() => this.gateway.listPaymentMethods(customerRef));
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
