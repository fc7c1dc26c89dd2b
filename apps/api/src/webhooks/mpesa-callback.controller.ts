import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Optional,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { RawBodyRequest } from '../http/body-parsers';
import { Public } from '@ledger/identity';
import { parseSagaStreamId, type TopUp, type Withdrawal } from '@ledger/ledger';
import { GatewayEventRecorder, MovementStreams, SAGA_METADATA_KEY } from '@ledger/ledger/nest';
import {
  MOBILE_MONEY_GATEWAY,
  MPESA_CALLBACK_LEGS,
  MPESA_CALLBACK_SECRET,
  MpesaGateway,
  parseMpesaCallback,
  type GatewayEvent,
  type MpesaCallback,
  type MpesaCallbackLeg,
  type PaymentGateway,
} from '@ledger/payments';

/** What Daraja expects back from a callback it delivered. */
const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' } as const;

/**
 * Daraja's callbacks: `POST /webhooks/mpesa/<secret>/<saga>/<leg>`. M-Pesa
 * signs nothing, so three things stand between a forged callback and a
 * credited wallet: the path's secret (MPESA_CALLBACK_SECRET, compared in
 * constant time), the saga it names having sent exactly that request
 * (`CheckoutRequestID` or `ConversationID`), and a status query the service
 * makes itself, whose answer is the only thing recorded. Anything that does
 * not match answers as a route that does not exist and writes nothing. A
 * callback for a saga that has moved on (a duplicate, a late one) is
 * accepted and changes nothing.
 */
@ApiExcludeController()
@Controller('webhooks/mpesa')
export class MpesaCallbackController {
  private readonly secretHash?: Buffer;

  constructor(
    @Optional() @Inject(MOBILE_MONEY_GATEWAY) private readonly gateway: PaymentGateway | null,
    @Optional() @Inject(MPESA_CALLBACK_SECRET) secret: string | null,
    private readonly streams: MovementStreams,
    private readonly recorder: GatewayEventRecorder,
  ) {
    this.secretHash = secret ? digest(secret) : undefined;
  }

  @Post(':secret/:saga/:leg')
  @Public()
  @HttpCode(200)
  async receive(
    @Param('secret') secret: string,
    @Param('saga') saga: string,
    @Param('leg') leg: string,
    @Req() request: RawBodyRequest & { method: string; originalUrl: string },
  ): Promise<typeof ACCEPTED> {
    const missing = new NotFoundException(`Cannot ${request.method} ${request.originalUrl}`);
    if (!this.gateway || !this.secretHash || !timingSafeEqual(digest(secret), this.secretHash))
      throw missing;
    const kind = parseSagaStreamId(saga)?.kind;
    const body = callbackBody(request.rawBody);
    const callback = isLeg(leg) && body !== undefined ? parseMpesaCallback(leg, body) : undefined;
    if (!callback || (kind !== 'topup' && kind !== 'withdrawal')) throw missing;
    const state = (await this.streams.replay(saga))?.state as TopUp | Withdrawal | undefined;
    if (!state || state.phase === 'none') throw missing;
    const event =
      kind === 'topup'
        ? await this.paymentReport(saga, state as Exclude<TopUp, { phase: 'none' }>, callback)
        : await this.payoutReport(saga, state as Exclude<Withdrawal, { phase: 'none' }>, callback);
    if (event === 'not_ours') throw missing;
    if (event) await this.recorder.record(event);
    return ACCEPTED;
  }

  /** An STK push callback for this saga's own prompt: the push query's answer is the report. */
  private async paymentReport(
    saga: string,
    state: Exclude<TopUp, { phase: 'none' }>,
    callback: MpesaCallback,
  ): Promise<GatewayEvent | 'not_ours' | undefined> {
    if (callback.leg !== 'stk' || state.request.method !== 'mpesa') return 'not_ours';
    if (callback.checkoutRequestId !== state.paymentIntentId) return 'not_ours';
    if (state.phase === 'completed' || state.phase === 'failed' || state.paid) return undefined;
    const { amountMinor, currency } = state.request;
    return this.gateway!.confirmPayment?.({
      paymentIntentId: state.paymentIntentId,
      amountMinor,
      currency,
      metadata: { [SAGA_METADATA_KEY]: saga },
    });
  }

  /**
   * A B2C result or queue timeout asks for the payment's status; the status
   * answer, about this saga's own payment, is the report.
   */
  private async payoutReport(
    saga: string,
    state: Exclude<Withdrawal, { phase: 'none' }>,
    callback: MpesaCallback,
  ): Promise<GatewayEvent | 'not_ours' | undefined> {
    if (state.request.destinationType !== 'mobile_money' || !state.payoutId) return 'not_ours';
    const id =
      callback.leg === 'status'
        ? callback.payoutId
        : 'conversationId' in callback
          ? callback.conversationId
          : undefined;
    if (id !== state.payoutId) return 'not_ours';
    if (state.phase === 'completed' || state.phase === 'failed') return undefined;
    const { amountMinor, currency } = state.request;
    const input = {
      payoutId: state.payoutId,
      amountMinor,
      currency,
      metadata: { [SAGA_METADATA_KEY]: saga },
    };
    if (callback.leg !== 'status') return this.gateway!.confirmPayout?.(input);
    return this.gateway instanceof MpesaGateway
      ? this.gateway.payoutStatusEvent(callback, input)
      : undefined;
  }
}

/**
 * Callbacks reach the route as raw bytes (the API's own body rules are not
 * Daraja's): parsed here, once the secret has matched. Not JSON is not a callback.
 */
function callbackBody(raw: Buffer | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isLeg(leg: string): leg is MpesaCallbackLeg {
  return (MPESA_CALLBACK_LEGS as readonly string[]).includes(leg);
}

/** Equal-length digests, so the comparison's time says nothing about the secret. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
