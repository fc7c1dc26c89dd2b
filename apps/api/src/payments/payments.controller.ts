import { Body, Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import { StartPaymentCommand, StartRefundCommand, type MovementStarted } from '@ledger/ledger';
import { listMerchantPayments } from '@ledger/read-models';
import type { IdempotencyContext } from '../http/idempotency.interceptor';
import { ReadYourWrites } from '../http/read-your-writes';
import { RejectionException } from '../http/rejection';
import { Counterparties } from '../movements/counterparties';
import { amountOf, answerMovement, callerOf, StartsMovement } from '../movements/movement-http';
import { MovementAcceptedView } from '../transfers/transfer.dto';
import {
  CreatePaymentDto,
  CreateRefundDto,
  ListPaymentsQueryDto,
  PaymentPageView,
} from './payment.dto';

const isMerchant = (principal: Principal) => principal.roles.includes('merchant');

/**
 * Paying merchants. Anyone pays a merchant from their own wallet; only the
 * merchant who received a payment lists and refunds it. To anyone else a
 * payment, and to a user without the merchant role the merchant routes,
 * answer as missing ones.
 */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly counterparties: Counterparties,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
  ) {}

  /**
   * Pays a merchant within the request, as a transfer: 201 once completed,
   * or the wallet's refusal with nothing moved; 202 when an outage cut the
   * run short (the worker finishes it). Paying an order reference the
   * merchant was already paid answers that first payment with
   * `repeated: true`: 200 when it completed (nothing was created), 202 while
   * it is still on its way.
   */
  @StartsMovement()
  @ApiOkResponse({
    type: MovementAcceptedView,
    description: 'The order was paid before: its first payment, completed (repeated: true)',
  })
  async pay(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePaymentDto,
    @Req() request: { idempotency: IdempotencyContext },
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<MovementAcceptedView> {
    const started = await this.commands.execute<StartPaymentCommand, MovementStarted>(
      new StartPaymentCommand({
        caller: callerOf(principal),
        commandId: request.idempotency.commandId,
        merchantId: dto.merchantId,
        walletId: dto.walletId,
        amountMinor: amountOf(dto.amountMinor),
        currency: dto.currency,
        reference: dto.reference,
      }),
    );
    const body = answerMovement(started, request, response);
    // Nothing was created: the order's first payment, completed, answers 200.
    if (body.repeated && body.status === 'completed') {
      request.idempotency.statusCode = 200;
      response.status(200);
    }
    return body;
  }

  /** The payments the calling merchant received, newest first, with their refunds. */
  @Get()
  @ApiOkResponse({ type: PaymentPageView })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListPaymentsQueryDto,
  ): Promise<PaymentPageView> {
    if (!isMerchant(principal)) throw new RejectionException('merchant_not_found');
    await this.readYourWrites.waitFor(query.position);
    const page = await listMerchantPayments(this.db, principal.userId, query);
    if (typeof page === 'string') throw new RejectionException(page);
    const payers = await this.counterparties.describe(page.items.map((p) => p.payerOwnerId));
    return {
      items: page.items.map((p) => {
        const payer = p.payerOwnerId ? payers.get(p.payerOwnerId) : undefined;
        return {
          id: p.movementId,
          status: p.status,
          amountMinor: p.amountMinor.toString(),
          currency: p.currency,
          reference: p.reference ?? '',
          walletId: p.walletId,
          ...(payer && { payer }),
          refundedMinor: p.refundedMinor.toString(),
          refundPendingMinor: p.refundPendingMinor.toString(),
          refundableMinor: (p.amountMinor - p.refundedMinor - p.refundPendingMinor).toString(),
          refunds: p.refunds.map((r) => ({
            id: r.movementId,
            status: r.status,
            amountMinor: r.amountMinor.toString(),
          })),
          createdAt: p.createdAt.toISOString(),
          ...(p.completedAt && { completedAt: p.completedAt.toISOString() }),
        };
      }),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    };
  }

  /**
   * Refunds a payment in full or in part, as a movement of kind `refund`
   * from the merchant's wallet back to the payer's. All refunds of a payment
   * together never exceed it, however many run at once.
   */
  @StartsMovement(':id/refunds')
  async refund(
    @CurrentPrincipal() principal: Principal,
    @Param('id') paymentId: string,
    @Body() dto: CreateRefundDto,
    @Req() request: { idempotency: IdempotencyContext },
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<MovementAcceptedView> {
    if (!isMerchant(principal)) throw new RejectionException('payment_not_found');
    const started = await this.commands.execute<StartRefundCommand, MovementStarted>(
      new StartRefundCommand({
        caller: callerOf(principal),
        commandId: request.idempotency.commandId,
        paymentId,
        amountMinor: amountOf(dto.amountMinor),
        ...(dto.reason && { reason: dto.reason }),
      }),
    );
    return answerMovement(started, request, response);
  }
}
