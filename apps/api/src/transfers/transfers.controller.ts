import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import { StartTransferCommand, type MovementStarted, type RecipientRef } from '@ledger/ledger';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { RejectionException } from '../http/rejection';
import { acceptedOrThrow, amountOf, callerOf } from '../movements/movement-http';
import { CreateTransferDto, MovementAcceptedView } from './transfer.dto';

@ApiTags('transfers')
@ApiBearerAuth()
@Controller('transfers')
export class TransfersController {
  constructor(private readonly commands: CommandBus) {}

  /** Accepts a transfer; it completes, or fails and is compensated, in the background (GET /movements/{id}). */
  @Post()
  @HttpCode(202)
  @Idempotent()
  @ApiAcceptedResponse({ type: MovementAcceptedView })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTransferDto,
    @Req() request: { idempotency: IdempotencyContext },
  ): Promise<MovementAcceptedView> {
    const started = await this.commands.execute<StartTransferCommand, MovementStarted>(
      new StartTransferCommand({
        caller: callerOf(principal),
        commandId: request.idempotency.commandId,
        fromWalletId: dto.fromWalletId,
        to: recipientOf(dto),
        amountMinor: amountOf(dto.amountMinor),
        currency: dto.currency,
        description: dto.description,
      }),
    );
    return acceptedOrThrow(started);
  }
}

function recipientOf(dto: CreateTransferDto): RecipientRef {
  const given = [
    dto.toWalletId && { walletId: dto.toWalletId },
    dto.toEmail && { email: dto.toEmail },
    dto.toPhone && { phone: dto.toPhone },
  ].filter((r): r is RecipientRef => Boolean(r));
  if (given.length !== 1) throw new RejectionException('recipient_required');
  return given[0];
}
