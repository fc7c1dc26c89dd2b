import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import { StartTopUpCommand, type MovementStarted } from '@ledger/ledger';
import { PAYMENT_GATEWAY, TransientGatewayError, type PaymentGateway } from '@ledger/payments';
import { RejectionException } from '../http/rejection';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { acceptedOrThrow, amountOf, callerOf } from '../movements/movement-http';
import { CreateTopUpDto } from './top-up.dto';

@ApiTags('top-ups')
@ApiBearerAuth()
@Controller('top-ups')
export class TopUpsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  /**
   * Starts a card top-up and answers with the payment's client secret for the
   * browser. The wallet is credited when the provider reports the payment.
   */
  @Post()
  @HttpCode(202)
  @Idempotent()
  @ApiAcceptedResponse({ description: 'id, status, position and clientSecret' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTopUpDto,
    @Req() request: { idempotency: IdempotencyContext },
  ) {
    if (dto.paymentMethodId) await this.ownCard(principal.userId, dto.paymentMethodId);
    const started = await this.commands.execute<StartTopUpCommand, MovementStarted>(
      new StartTopUpCommand({
        caller: callerOf(principal),
        commandId: request.idempotency.commandId,
        walletId: dto.walletId,
        amountMinor: amountOf(dto.amountMinor),
        currency: dto.currency,
        paymentMethodId: dto.paymentMethodId,
      }),
    );
    return acceptedOrThrow(started);
  }

  /**
   * A card pays only for the customer it is linked to: another customer's
   * card answers card_not_found, exactly as a card that does not exist.
   */
  private async ownCard(customerRef: string, paymentMethodId: string): Promise<void> {
    let cards;
    try {
      cards = await this.gateway.listPaymentMethods(customerRef);
    } catch (error) {
      if (error instanceof TransientGatewayError)
        throw new RejectionException('payment_provider_unavailable');
      throw new RejectionException('payment_provider_refused');
    }
    if (!cards.some((card) => card.paymentMethodId === paymentMethodId))
      throw new RejectionException('card_not_found');
  }
}
