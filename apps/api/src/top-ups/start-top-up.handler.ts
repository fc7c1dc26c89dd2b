import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  PAYMENT_GATEWAY,
  PermanentGatewayError,
  TransientGatewayError,
  type PaymentGateway,
} from '@ledger/payments';
import {
  deriveId,
  sagaStreamId,
  StartTopUpCommand,
  type MovementStarted,
  type TopUp,
  type TopUpRequest,
} from '@ledger/ledger';
import { MovementStreams, SAGA_METADATA_KEY, WalletCommands } from '@ledger/ledger/nest';
import { PaymentCustomers } from '../cards/payment-customers';
import { MobileMoneyPayer } from './mobile-money-payer';
import { withPosition } from '../movements/movement-http';

/** How long a top-up waits for the card payment before it gives up (and refunds a late payment). */
export const TOP_UP_TIMEOUT_MS = 30 * 60_000;
/** Overrides TOP_UP_TIMEOUT_MS (a number of milliseconds), e.g. for tests that need the timer to fire. */
export const TOP_UP_TIMEOUT = Symbol('TOP_UP_TIMEOUT');

/** Who pays, and through which rail. */
interface Payer {
  readonly ok: true;
  readonly gateway: PaymentGateway;
  readonly customerRef: string;
  /** Mobile money: the owner's phone number, sent to the provider and never recorded. */
  readonly phone?: string;
}

/**
 * Records the top-up, then creates the payment intent at once, because the
 * browser needs its client secret to confirm the payment. The intent's key
 * is `<saga>:intent`, so a retried request gets the same intent back; its
 * metadata names the saga, so the provider's report finds its way back.
 *
 * The payment belongs to the caller's own customer at the provider, and a
 * linked card pays only if the caller linked it: anyone else's card, or one
 * that does not exist, is `card_not_found` before anything is written or
 * sent to the provider.
 */
@CommandHandler(StartTopUpCommand)
export class StartTopUpHandler implements ICommandHandler<StartTopUpCommand, MovementStarted> {
  constructor(
    private readonly wallets: WalletCommands,
    private readonly streams: MovementStreams,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly customers: PaymentCustomers,
    @Optional() @Inject(TOP_UP_TIMEOUT) private readonly timeoutMs: number = TOP_UP_TIMEOUT_MS,
    @Optional() private readonly mobileMoney?: MobileMoneyPayer,
  ) {}

  async execute(command: StartTopUpCommand): Promise<MovementStarted> {
    return withPosition(await this.start(command), this.streams);
  }

  private async start({ input }: StartTopUpCommand): Promise<MovementStarted> {
    const { wallet } = await this.wallets.state(input.walletId);
    // Another user's wallet looks missing, so its existence is not confirmed.
    if (
      wallet.status === 'unopened' ||
      (wallet.ownerId !== input.caller.userId && !input.caller.actsForOthers)
    )
      return { ok: false, rejection: 'wallet_not_found' };
    if (wallet.currency !== input.currency) return { ok: false, rejection: 'currency_mismatch' };
    if (wallet.status !== 'open')
      return {
        ok: false,
        rejection: wallet.status === 'frozen' ? 'wallet_frozen' : 'wallet_closed',
      };
    const mpesa = input.method === 'mpesa';
    const payer = mpesa
      ? await this.mobilePayer(wallet.ownerId, input.amountMinor, input.currency)
      : await this.payer(input.caller.userId, input.paymentMethodId);
    if (!payer.ok) return payer;

    const topUpId = deriveId('topup', input.commandId);
    const stream = sagaStreamId('topup', topUpId);
    const now = Date.now();
    const request: TopUpRequest = {
      topUpId,
      requestedBy: input.caller.userId,
      walletId: input.walletId,
      ownerId: wallet.ownerId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      ...(mpesa && { method: 'mpesa' as const }),
      ...(input.paymentMethodId && { paymentMethodId: input.paymentMethodId }),
      timeoutAt: new Date(now + this.timeoutMs).toISOString(),
      at: new Date(now).toISOString(),
    };
    const requested = await this.streams.record(
      stream,
      { type: 'RequestTopUp', commandId: input.commandId, request },
      { correlationId: input.commandId },
    );
    if (!requested.ok) return { ok: false, rejection: requested.rejection };
    // A retried request goes on with what was recorded first, so the intent's key always meets the same request.
    const state = requested.duplicate
      ? ((await this.streams.replay(stream))?.state as TopUp | undefined)
      : undefined;
    const recorded = state && state.phase !== 'none' ? state.request : request;
    // Daraja has no idempotency keys: a prompt already sent is not sent again.
    if (mpesa && state && state.phase !== 'none' && state.paymentIntentId)
      return {
        ok: true,
        movementId: stream,
        status: state.phase === 'failed' ? 'failed' : 'pending',
      };
    return this.createIntent(stream, recorded, payer);
  }

  private async mobilePayer(
    ownerId: string,
    amountMinor: bigint,
    currency: string,
  ): Promise<Payer | Extract<MovementStarted, { ok: false }>> {
    const checked = this.mobileMoney
      ? await this.mobileMoney.check(ownerId, amountMinor, currency)
      : 'payment_method_unavailable';
    if (typeof checked === 'string') return { ok: false, rejection: checked };
    return { ok: true, customerRef: 'mpesa', gateway: checked.gateway, phone: checked.phone };
  }

  /**
   * The caller's customer at the provider and, when a linked card is to pay,
   * proof that it is one of theirs. A user without a customer has linked no
   * card, so the provider is not asked.
   */
  private async payer(
    userId: string,
    paymentMethodId: string | undefined,
  ): Promise<Payer | Extract<MovementStarted, { ok: false }>> {
    const gateway = this.gateway;
    try {
      if (!paymentMethodId)
        return { ok: true, gateway, customerRef: await this.customers.ensure(userId) };
      const customerRef = await this.customers.find(userId);
      if (!customerRef) return { ok: false, rejection: 'card_not_found' };
      const cards = await this.gateway.listPaymentMethods(customerRef);
      if (!cards.some((card) => card.paymentMethodId === paymentMethodId))
        return { ok: false, rejection: 'card_not_found' };
      return { ok: true, gateway, customerRef };
    } catch (error) {
      if (error instanceof TransientGatewayError)
        return { ok: false, rejection: 'payment_provider_unavailable' };
      if (error instanceof PermanentGatewayError)
        return { ok: false, rejection: 'payment_provider_refused' };
      throw error;
    }
  }

  private async createIntent(
    stream: string,
    request: TopUpRequest,
    payer: Payer,
  ): Promise<MovementStarted> {
    const at = new Date().toISOString();
    const commandId = deriveId(stream, 'intent');
    try {
      const intent = await payer.gateway.createPaymentIntent({
        amountMinor: request.amountMinor,
        currency: request.currency,
        customerRef: payer.customerRef,
        ...(request.paymentMethodId && { paymentMethodId: request.paymentMethodId }),
        ...(payer.phone && { payerPhone: payer.phone }),
        metadata: { [SAGA_METADATA_KEY]: stream },
        idempotencyKey: `${stream}:intent`,
      });
      const recorded = await this.streams.record(stream, {
        type: 'RecordPaymentIntent',
        commandId,
        result: { ok: true, paymentIntentId: intent.paymentIntentId },
        at,
      });
      if (!recorded.ok) return { ok: false, rejection: recorded.rejection };
      return {
        ok: true,
        movementId: stream,
        status: 'pending',
        position: recorded.position,
        // M-Pesa has none: the customer approves the prompt on the phone.
        ...(intent.clientSecret && { clientSecret: intent.clientSecret }),
      };
    } catch (error) {
      // A transient failure leaves the top-up requested: the client retries
      // with the same Idempotency-Key (same intent key), or the timer ends it.
      if (!(error instanceof PermanentGatewayError))
        return { ok: false, rejection: 'payment_provider_unavailable' };
      const recorded = await this.streams.record(stream, {
        type: 'RecordPaymentIntent',
        commandId,
        result: { ok: false, reason: error.reason },
        at,
      });
      return {
        ok: true,
        movementId: stream,
        status: 'failed',
        position: recorded.ok ? recorded.position : undefined,
      };
    }
  }
}
