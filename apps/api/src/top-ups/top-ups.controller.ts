import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { TopUpAcceptedView } from '../http/views';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import { StartTopUpCommand, type MovementStarted } from '@ledger/ledger';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { RejectionException } from '../http/rejection';
import { acceptedOrThrow, amountOf, callerOf } from '../movements/movement-http';
import { CreateTopUpDto } from './top-up.dto';

@ApiTags('top-ups')
@ApiBearerAuth()
@Controller('top-ups')
export class TopUpsController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * Starts a top-up: by card, answered with the payment's client secret for
   * the browser, or by M-Pesa, a prompt to the owner's phone. The wallet is
   * credited once the provider confirms the payment.
   */
  @Post()
  @HttpCode(202)
  @Idempotent()
  @ApiAcceptedResponse({ type: TopUpAcceptedView })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTopUpDto,
    @Req() request: { idempotency: IdempotencyContext },
  ) {
    if (dto.method === 'mpesa' && dto.paymentMethodId)
      throw new RejectionException(
        'payment_method_conflict',
        'paymentMethodId is for card top-ups only',
      );
    const started = await this.commands.execute<StartTopUpCommand, MovementStarted>(
      new StartTopUpCommand({
        caller: callerOf(principal),
        commandId: request.idempotency.commandId,
        walletId: dto.walletId,
        amountMinor: amountOf(dto.amountMinor),
        currency: dto.currency,
        method: dto.method,
        paymentMethodId: dto.paymentMethodId,
      }),
    );
    return acceptedOrThrow(started);
  }
}
