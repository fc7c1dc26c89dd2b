import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { canReadAnyWallet, CurrentPrincipal, Roles, type Principal } from '@ledger/identity';
import { deriveId, newId, type WalletCommand } from '@ledger/ledger';
import { RequestAdjustmentCommand } from '@ledger/finance/nest';
import { ExecuteWalletCommand, WalletStateQuery, type WalletOutcome } from '@ledger/ledger/nest';
import type { HistoryEntry, WalletBalance } from '@ledger/read-models';
import {
  GetWalletQuery,
  ListWalletsPageQuery,
  WalletBalanceAsOfQuery,
  WalletHistoryPageQuery,
} from '@ledger/read-models/nest';
import { formatPosition } from '@ledger/event-store';
import { AsOfResolver, WithAsOf, asOfFields } from '../http/as-of';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { WALLET_ID } from '../http/object-id.pipe';
import { ReadYourWrites } from '../http/read-your-writes';
import { RejectionException } from '../http/rejection';
import { WalletPage } from '../http/views';
import { adjustmentView, orReject } from '../finance/finance.views';
import {
  AdjustmentDto,
  FreezeDto,
  OpenWalletDto,
  WalletHistoryEntryView,
  WalletHistoryPageView,
  WalletView,
} from './wallet.dto';
import { HistoryQueryDto, ListWalletsQueryDto, PositionQueryDto } from './wallet-query.dto';
import { fromBalanceAsOf, fromReadModel, fromWriteSide } from './wallet.views';

type IdempotentRequest = { idempotency: IdempotencyContext; correlationId?: string };

class WalletQueryDto extends WithAsOf(PositionQueryDto) {}

@ApiTags('wallets')
@ApiBearerAuth()
@Controller('wallets')
export class WalletsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly readYourWrites: ReadYourWrites,
    private readonly asOf: AsOfResolver,
  ) {}

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: WalletView })
  async open(
    @CurrentPrincipal() principal: Principal,
    @Body() body: OpenWalletDto,
    @Req() req: IdempotentRequest,
  ) {
    const { commandId } = req.idempotency;
    const walletId = deriveId('wallet', commandId);
    const outcome = await this.commands.execute(
      new ExecuteWalletCommand(
        walletId,
        {
          type: 'OpenWallet',
          commandId,
          at: now(),
          walletId,
          ownerId: principal.userId,
          currency: body.currency,
        },
        { correlationId: commandId },
      ),
    );
    return this.writeSideView(walletId, outcome);
  }

  @Get()
  @ApiOkResponse({
    type: WalletPage,
    description: "A page of wallets: the caller's own, or any owner's for staff",
  })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListWalletsQueryDto) {
    await this.readYourWrites.waitFor(query.position);
    const ownerId = canReadAnyWallet(principal) ? query.ownerId : principal.userId;
    const page = await this.queries.execute(
      new ListWalletsPageQuery({ ownerId, cursor: query.cursor, limit: query.limit }),
    );
    if (typeof page === 'string') throw new RejectionException(page);
    return { items: page.items.map(fromReadModel), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: WalletView })
  @ApiQuery({ name: 'position', required: false })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', WALLET_ID) id: string,
    @Query() query: WalletQueryDto,
  ) {
    await this.readYourWrites.waitFor(query.position);
    const point = await this.asOf.resolve(query);
    const wallet = await this.readable(principal, id);
    if (!point) return fromReadModel(wallet);
    // A wallet opened after the point did not exist then: it answers like a missing one.
    const then = await this.queries.execute(new WalletBalanceAsOfQuery(wallet, point.position));
    if (!then) throw new RejectionException('wallet_not_found');
    return { ...fromBalanceAsOf(wallet, then), ...asOfFields(point) };
  }

  @Get(':id/history')
  @ApiOkResponse({ type: WalletHistoryPageView })
  async history(
    @CurrentPrincipal() principal: Principal,
    @Param('id', WALLET_ID) id: string,
    @Query() query: HistoryQueryDto,
  ): Promise<WalletHistoryPageView> {
    await this.readYourWrites.waitFor(query.position);
    await this.readable(principal, id);
    const page = await this.queries.execute(
      new WalletHistoryPageQuery(id, {
        cursor: query.cursor,
        limit: query.limit,
        types: query.type ? [query.type] : undefined,
        kinds: query.kind ? [query.kind] : undefined,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      }),
    );
    if (typeof page === 'string') throw new RejectionException(page);
    return {
      items: page.items.map(historyView),
      nextCursor: page.nextCursor ?? null,
    };
  }

  @Post(':id/adjustments')
  @Roles('finance', 'admin')
  @Idempotent()
  @ApiCreatedResponse({
    type: WalletView,
    description: 'A reasoned entry between the wallet and a system account, posted',
  })
  @ApiAcceptedResponse({
    description:
      'Above the approval threshold: recorded, awaiting a second finance user (POST /finance/adjustments/{id}/approve)',
  })
  async adjust(
    @CurrentPrincipal() principal: Principal,
    @Param('id', WALLET_ID) id: string,
    @Body() body: AdjustmentDto,
    @Req() req: IdempotentRequest,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ) {
    const answer = orReject(
      await this.commands.execute(
        new RequestAdjustmentCommand(
          principal.userId,
          { ...body, walletId: id },
          req.idempotency.commandId,
        ),
      ),
    );
    if (answer.kind === 'pending_approval') {
      req.idempotency.statusCode = 202;
      res.status(202);
      return { adjustment: adjustmentView(answer.adjustment) };
    }
    return {
      ...(await this.writeSideView(id, answer.outcome)),
      adjustmentId: answer.adjustment.id,
    };
  }

  @Post(':id/freeze')
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiOkResponse({ type: WalletView })
  async freeze(@Param('id', WALLET_ID) id: string, @Body() body: FreezeDto) {
    return this.writeSideView(
      id,
      await this.execute(id, {
        type: 'Freeze',
        commandId: newId(),
        at: now(),
        reason: body.reason,
      }),
    );
  }

  @Post(':id/unfreeze')
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiOkResponse({ type: WalletView })
  async unfreeze(@Param('id', WALLET_ID) id: string) {
    return this.writeSideView(
      id,
      await this.execute(id, { type: 'Unfreeze', commandId: newId(), at: now() }),
    );
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOkResponse({ type: WalletView })
  async close(@CurrentPrincipal() principal: Principal, @Param('id', WALLET_ID) id: string) {
    // Ownership is checked on the write side's own state, never a read model.
    const { wallet } = await this.queries.execute(new WalletStateQuery(id));
    const mayClose =
      wallet.status !== 'unopened' &&
      (wallet.ownerId === principal.userId || principal.roles.includes('admin'));
    if (!mayClose) throw new RejectionException('wallet_not_found');
    return this.writeSideView(
      id,
      await this.execute(id, { type: 'Close', commandId: newId(), at: now() }),
    );
  }

  /** A customer sees only their own wallets; another's answers 404, exactly as a missing one, so ids cannot be probed. */
  private async readable(principal: Principal, walletId: string): Promise<WalletBalance> {
    const wallet = await this.queries.execute(new GetWalletQuery(walletId));
    if (!wallet || (wallet.ownerId !== principal.userId && !canReadAnyWallet(principal))) {
      throw new RejectionException('wallet_not_found');
    }
    return wallet;
  }

  private execute(walletId: string, command: WalletCommand): Promise<WalletOutcome> {
    return this.commands.execute(new ExecuteWalletCommand(walletId, command));
  }

  private async writeSideView(walletId: string, outcome: WalletOutcome): Promise<WalletView> {
    if (!outcome.ok) throw new RejectionException(outcome.rejection);
    const { wallet, revision } = await this.queries.execute(new WalletStateQuery(walletId));
    const view = fromWriteSide(wallet, revision, outcome.position);
    if (!view) throw new RejectionException('wallet_not_found');
    return view;
  }
}

const now = () => new Date().toISOString();

function historyView(h: HistoryEntry): WalletHistoryEntryView {
  return {
    ...h,
    occurredAt: h.occurredAt.toISOString(),
    revision: h.revision.toString(),
    amountMinor: h.amountMinor?.toString() ?? null,
    position: formatPosition(h.position),
  };
}
