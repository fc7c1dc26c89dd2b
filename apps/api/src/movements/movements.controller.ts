import { must } from '@ledger/invariant';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { canReadAnyWallet, CurrentPrincipal, type Principal } from '@ledger/identity';
import { formatPosition } from '@ledger/event-store';
import { parseSagaStreamId } from '@ledger/ledger';
import { MovementStreamQuery, WalletStateQuery } from '@ledger/ledger/nest';
import { WalletStatisticsQuery } from '@ledger/read-models/nest';
import { WALLET_ID } from '../http/object-id.pipe';
import { ReadYourWrites } from '../http/read-your-writes';
import { RejectionException } from '../http/rejection';
import { ListMovementsQueryDto, MovementPageView, MovementQueryDto } from './movement-list.dto';
import { reasonText } from './movement-list.views';
import { MovementReads } from './movement-reads';
import { MovementView, visibleWalletIds, type MovementStep } from './movement.views';
import { WalletStatisticsView } from './wallet-statistics.views';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Saga stream kinds as movements name them. */
const KIND: Readonly<Record<string, string>> = { topup: 'top_up' };

@ApiTags('movements')
@ApiBearerAuth()
@Controller('movements')
export class MovementsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly reads: MovementReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  /**
   * The caller's movements across all their wallets, newest first: one item
   * per movement, with the caller's own legs, the counterparty by name and
   * masked contact, never by wallet id.
   */
  @Get()
  @ApiOperation({ summary: "The caller's movements, newest first", operationId: 'listMovements' })
  @ApiOkResponse({ type: MovementPageView })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListMovementsQueryDto,
  ): Promise<MovementPageView> {
    await this.readYourWrites.waitFor(query.position);
    return this.reads.page(principal.userId, query);
  }

  /**
   * A movement and every step it took. A saga's status and steps are read
   * from its own stream (so they are current even before any read model
   * caught up); what a wallet user sees of it (their legs, the counterparty,
   * the rate, the description) from the movement read models. Only its
   * parties and staff see it; anyone else gets 404, which does not confirm
   * it exists.
   */
  @Get(':id')
  @ApiOperation({ summary: 'One movement with its steps', operationId: 'getMovement' })
  @ApiOkResponse({ type: MovementView })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: MovementQueryDto,
  ): Promise<MovementView> {
    await this.readYourWrites.waitFor(query.position);
    const staff = canReadAnyWallet(principal);
    if (!parseSagaStreamId(id)) {
      // Entries without a saga (adjustments) live in the read models only.
      const seen = await this.reads.one(id, staff ? undefined : principal.userId, query.format);
      if (!seen) throw new RejectionException('movement_not_found');
      return {
        ...seen,
        walletIds: seen.legs.map((l) => l.walletId),
        requestedAt: seen.createdAt,
        steps: [],
        phase: seen.status,
      };
    }
    const saga = await this.queries.execute(new MovementStreamQuery(id));
    const summary = saga?.summary;
    if (!saga || !summary) throw new RejectionException('movement_not_found');
    if (!summary.partyIds.includes(principal.userId) && !staff)
      throw new RejectionException('movement_not_found');
    const steps: MovementStep[] = saga.events.map((e) => ({
      type: e.type,
      at: typeof e.data.at === 'string' ? e.data.at : e.createdAt.toISOString(),
      ...(typeof e.data.reason === 'string' && { reason: e.data.reason }),
    }));
    const last = must(saga.events.at(-1), 'saga event');
    const seen = await this.reads.one(id, staff ? undefined : principal.userId, query.format);
    return {
      ...seen,
      id,
      kind: kindOf(saga.kind, saga.state),
      status: summary.status,
      phase: summary.phase,
      amountMinor: summary.amountMinor.toString(),
      currency: summary.currency,
      walletIds: visibleWalletIds(
        { kind: saga.kind, state: saga.state, walletIds: summary.walletIds },
        principal.userId,
        staff,
      ),
      requestedAt: summary.requestedAt,
      ...(summary.failureReason && {
        failureReason: summary.failureReason,
        reason: summary.failureReason,
        reasonText: reasonText(summary.failureReason),
      }),
      legs: seen?.legs ?? [],
      createdAt: seen?.createdAt ?? summary.requestedAt,
      ...fxOf(saga.state),
      steps,
      position: formatPosition(last.position),
    };
  }

  /** Movements in and out of a wallet per month and kind (top-up, transfer, payment…), newest first. */
  @Get('wallets/:walletId/statistics')
  @ApiOperation({
    summary: 'Movements of a wallet per month and kind',
    operationId: 'getWalletStatistics',
  })
  @ApiQuery({ name: 'from', required: false, description: 'First month, YYYY-MM (UTC)' })
  @ApiQuery({ name: 'to', required: false, description: 'Last month, YYYY-MM (UTC), inclusive' })
  @ApiQuery({ name: 'position', required: false })
  @ApiOkResponse({ type: WalletStatisticsView })
  async walletStatistics(
    @CurrentPrincipal() principal: Principal,
    @Param('walletId', WALLET_ID) walletId: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('position') position?: string,
  ): Promise<WalletStatisticsView> {
    for (const month of [from, to])
      if (month !== undefined && !MONTH.test(month)) throw new RejectionException('invalid_month');
    if (from && to && from > to) throw new RejectionException('invalid_date_range');
    await this.readYourWrites.waitFor(position);
    const { wallet } = await this.queries.execute(new WalletStateQuery(walletId));
    const visible =
      wallet.status !== 'unopened' &&
      (wallet.ownerId === principal.userId || canReadAnyWallet(principal));
    if (!visible) throw new RejectionException('wallet_not_found');
    const months = await this.queries.execute(new WalletStatisticsQuery(walletId, from, to));
    return { walletId, months };
  }
}

/** A transfer's request may make it a payment or a refund. */
function kindOf(sagaKind: string, state: unknown): string {
  const kind = (state as { request?: { kind?: string } }).request?.kind;
  return kind === 'payment' || kind === 'refund' ? kind : (KIND[sagaKind] ?? sagaKind);
}

/** A cross-currency transfer's rate, as recorded in its request. */
function fxOf(state: unknown): Pick<MovementView, 'fxRate' | 'fxSource' | 'fxAsOf'> {
  const request = (state as { request?: { fxRate?: string; fxSource?: string; fxAsOf?: string } })
    .request;
  if (!request?.fxRate) return {};
  return {
    fxRate: request.fxRate,
    ...(request.fxSource && { fxSource: request.fxSource }),
    ...(request.fxAsOf && { fxAsOf: request.fxAsOf }),
  };
}
