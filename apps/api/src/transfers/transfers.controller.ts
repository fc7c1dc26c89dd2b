import { Body, Controller, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import { StartTransferCommand, type MovementStarted, type RecipientRef } from '@ledger/ledger';
import type { IdempotencyContext } from '../http/idempotency.interceptor';
import { RejectionException } from '../http/rejection';
import { amountOf, answerMovement, callerOf, StartsMovement } from '../movements/movement-http';
import { CreateTransferDto, MovementAcceptedView } from './transfer.dto';

@ApiTags('transfers')
@ApiBearerAuth()
@Controller('transfers')
export class TransfersController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * Makes a transfer within the request: 201 once it completed, or the
   * wallet's refusal (422 exceeds_available, 409 wallet_frozen…) with nothing
   * moved. Should the run be cut short (an outage), 202: the worker finishes
   * or compensates it in the background (GET /movements/{id}).
   */
  @StartsMovement()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTransferDto,
    @Req() request: { idempotency: IdempotencyContext },
    @Res({ passthrough: true }) response: FastifyReply,
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
    return answerMovement(started, request, response);
  }
}

function recipientOf(dto: CreateTransferDto): RecipientRef {
  const given = [
    dto.toWalletId && { walletId: dto.toWalletId },
    dto.toEmail && { email: dto.toEmail },
    dto.toPhone && { phone: dto.toPhone },
  ].filter((r): r is RecipientRef => Boolean(r));
  const [only] = given;
  if (given.length !== 1 || !only) throw new RejectionException('recipient_required');
  return only;
}
