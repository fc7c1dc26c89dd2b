import { Inject } from '@nestjs/common';
import {
  Command,
  CommandHandler,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import {
  PAYMENT_GATEWAY,
  PermanentGatewayError,
  TransientGatewayError,
  type PaymentGateway,
  type PaymentMethodSummary,
  type SetupIntentResult,
} from '@ledger/payments';
import { PaymentCustomers } from './payment-customers';

/**
 * Linked cards on the `@nestjs/cqrs` buses. The card details go from the
 * browser to the provider through a SetupIntent's client secret; the ledger
 * keeps and shows only provider ids and display hints (brand, last four
 * digits, expiry). Every card belongs to the caller's own customer at the
 * provider (`PaymentCustomers`); another user's card answers exactly like a
 * missing one. A refusal is answered as its name; the provider's failures
 * become `payment_provider_unavailable` or `payment_provider_refused`, and
 * nothing of the provider's message reaches the caller.
 */
export type CardRejection =
  | 'card_not_found'
  | 'setup_intent_not_found'
  | 'setup_intent_not_succeeded'
  | 'payment_provider_unavailable'
  | 'payment_provider_refused';

// Checked before the provider is asked, so it is never sent anything else.
const PAYMENT_METHOD_ID = /^pm_[A-Za-z0-9_]{1,100}$/;
const SETUP_INTENT_ID = /^seti_[A-Za-z0-9_]{1,100}$/;

/** Starts linking a card: the browser confirms the client secret with the provider's SDK. */
export class SetUpCardCommand extends Command<SetupIntentResult | CardRejection> {
  constructor(
    readonly userId: string,
    /** The request's command id: a retry gets the same SetupIntent from the provider. */
    readonly commandId: string,
  ) {
    super();
  }
}

/**
 * The card a SetupIntent the browser confirmed (Stripe Elements'
 * confirmCardSetup) attached to the caller's customer. A query: the
 * provider holds the card, so finishing the link writes nothing and a retry
 * answers the same.
 */
export class ConfirmedCardQuery extends Query<PaymentMethodSummary | CardRejection> {
  constructor(
    readonly userId: string,
    readonly setupIntentId: string,
  ) {
    super();
  }
}

/** The caller's linked cards; none for a user who never needed a customer. */
export class ListCardsQuery extends Query<PaymentMethodSummary[] | CardRejection> {
  constructor(readonly userId: string) {
    super();
  }
}

/** Unlinks one of the caller's cards; undefined when it is done. */
export class UnlinkCardCommand extends Command<CardRejection | undefined> {
  constructor(
    readonly userId: string,
    readonly paymentMethodId: string,
  ) {
    super();
  }
}

@CommandHandler(SetUpCardCommand)
export class SetUpCardHandler implements ICommandHandler<
  SetUpCardCommand,
  SetupIntentResult | CardRejection
> {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly customers: PaymentCustomers,
  ) {}

  execute({ userId, commandId }: SetUpCardCommand): Promise<SetupIntentResult | CardRejection> {
    return providerRefusals(async () => {
      const customerRef = await this.customers.ensure(userId);
      const intent = await this.gateway.createSetupIntent({
        customerRef,
        metadata: { user_id: userId },
        idempotencyKey: `setup:${commandId}`,
      });
      return { setupIntentId: intent.setupIntentId, clientSecret: intent.clientSecret };
    });
  }
}

@QueryHandler(ConfirmedCardQuery)
export class ConfirmedCardHandler implements IQueryHandler<
  ConfirmedCardQuery,
  PaymentMethodSummary | CardRejection
> {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly customers: PaymentCustomers,
  ) {}

  execute({
    userId,
    setupIntentId,
  }: ConfirmedCardQuery): Promise<PaymentMethodSummary | CardRejection> {
    return providerRefusals(async () => {
      const retrieve = this.gateway.retrieveSetupIntent?.bind(this.gateway);
      if (!retrieve || !SETUP_INTENT_ID.test(setupIntentId)) return 'setup_intent_not_found';
      const customerRef = await this.customers.find(userId);
      if (!customerRef) return 'setup_intent_not_found';
      const intent = await retrieve(setupIntentId);
      if (!intent || intent.customerRef !== customerRef) return 'setup_intent_not_found';
      if (intent.status !== 'succeeded' || !intent.paymentMethodId)
        return 'setup_intent_not_succeeded';
      const paymentMethodId = intent.paymentMethodId;
      const cards = await this.gateway.listPaymentMethods(customerRef);
      // Linked, then unlinked since: the card is gone, as UnlinkCardCommand left it.
      return cards.find((c) => c.paymentMethodId === paymentMethodId) ?? 'card_not_found';
    });
  }
}

@QueryHandler(ListCardsQuery)
export class ListCardsHandler implements IQueryHandler<
  ListCardsQuery,
  PaymentMethodSummary[] | CardRejection
> {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly customers: PaymentCustomers,
  ) {}

  execute({ userId }: ListCardsQuery): Promise<PaymentMethodSummary[] | CardRejection> {
    return providerRefusals(async () => {
      const customerRef = await this.customers.find(userId);
      if (!customerRef) return [];
      return this.gateway.listPaymentMethods(customerRef);
    });
  }
}

@CommandHandler(UnlinkCardCommand)
export class UnlinkCardHandler implements ICommandHandler<
  UnlinkCardCommand,
  CardRejection | undefined
> {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly customers: PaymentCustomers,
  ) {}

  execute({ userId, paymentMethodId }: UnlinkCardCommand): Promise<CardRejection | undefined> {
    return providerRefusals(async () => {
      if (!PAYMENT_METHOD_ID.test(paymentMethodId)) return 'card_not_found';
      const customerRef = await this.customers.find(userId);
      if (!customerRef) return 'card_not_found';
      const cards = await this.gateway.listPaymentMethods(customerRef);
      if (!cards.some((card) => card.paymentMethodId === paymentMethodId)) return 'card_not_found';
      await this.gateway.detachPaymentMethod({
        paymentMethodId,
        idempotencyKey: `detach:${paymentMethodId}`,
      });
      return undefined;
    });
  }
}

export const CARD_HANDLERS = [
  SetUpCardHandler,
  ConfirmedCardHandler,
  ListCardsHandler,
  UnlinkCardHandler,
];

/** The provider's failures as named refusals; anything else is a bug or an outage and propagates. */
async function providerRefusals<T>(run: () => Promise<T>): Promise<T | CardRejection> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TransientGatewayError) return 'payment_provider_unavailable';
    if (error instanceof PermanentGatewayError) return 'payment_provider_refused';
    throw error;
  }
}
