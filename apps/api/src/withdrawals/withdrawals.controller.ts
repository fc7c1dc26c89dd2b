import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  RequireTwoFactor,
  type Principal,
  type SecondFactorRequest,
} from '@ledger/identity';
import { StartWithdrawalCommand, type MovementStarted } from '@ledger/ledger';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { RejectionException } from '../http/rejection';
import { acceptedOrThrow, amountOf, callerOf } from '../movements/movement-http';
import { MovementAcceptedView } from '../transfers/transfer.dto';
import { CreateWithdrawalDto } from './withdrawal.dto';

@ApiTags('withdrawals')
@ApiBearerAuth()
@Controller('withdrawals')
export class WithdrawalsController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * Pays out to a linked bank account, or by M-Pesa to the owner's phone; needs a fresh code in X-2FA-Code.
   * The hold is placed within the request: a withdrawal the wallet refuses
   * (422 exceeds_available, 409 wallet_frozen…) answers so at once and
   * leaves the code unspent. The payout follows at GET /movements/{id}.
   */
  @Post()
  @HttpCode(202)
  @RequireTwoFactor({ spentByRoute: true })
  @Idempotent()
  @ApiAcceptedResponse({ type: MovementAcceptedView })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateWithdrawalDto,
    @Req() request: { idempotency: IdempotencyContext } & SecondFactorRequest,
  ): Promise<MovementAcceptedView> {
    if ((dto.method === 'mpesa') === (dto.destinationId !== undefined))
      throw new RejectionException(
        'payment_method_conflict',
        dto.method === 'mpesa'
          ? 'destinationId is for bank_account withdrawals only'
          : 'destinationId is required for bank_account withdrawals',
      );
    const started = await this.commands.execute<StartWithdrawalCommand, MovementStarted>(
      new StartWithdrawalCommand({
        caller: callerOf(principal),
        commandId: request.idempotency.commandId,
        walletId: dto.walletId,
        amountMinor: amountOf(dto.amountMinor),
        currency: dto.currency,
        destinationId: dto.destinationId,
        method: dto.method,
        confirm: async () => {
          if (!request.secondFactor) throw new Error('The second factor guard did not run');
          await request.secondFactor.spend();
        },
      }),
    );
    return acceptedOrThrow(started);
  }
}
