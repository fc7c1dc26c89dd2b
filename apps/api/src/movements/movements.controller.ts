import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { canReadAnyWallet, CurrentPrincipal, type Principal } from '@ledger/identity';
import { formatPosition } from '@ledger/event-store';
import { MovementStreams, parseSagaStreamId, WalletCommands } from '@ledger/ledger';
import { WALLET_ID } from '../http/object-id.pipe';
import { RejectionException } from '../http/rejection';
import { MovementView, visibleWalletIds, type MovementStep } from './movement.views';
import { WalletStatisticsQuery, type MonthlyTotal } from './wallet-statistics.query';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

@ApiTags('movements')
@ApiBearerAuth()
@Controller('movements')
export class MovementsController {
  constructor(
    private readonly streams: MovementStreams,
    private readonly wallets: WalletCommands,
    private readonly statistics: WalletStatisticsQuery,
  ) {}

  /**
   * A movement and every step it took, read from its own stream (so it is
   * current even before any read model caught up). Only its parties and
   * staff see it; anyone else gets 404, which does not confirm it exists.
   */
  @Get(':id')
  @ApiOkResponse({ type: MovementView })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<MovementView> {
    if (!parseSagaStreamId(id)) throw new RejectionException('movement_not_found');
    const saga = await this.streams.load(id);
    const summary = saga?.summary;
    if (!saga || !summary) throw new RejectionException('movement_not_found');
    if (!summary.partyIds.includes(principal.userId) && !canReadAnyWallet(principal))
      throw new RejectionException('movement_not_found');
    const steps: MovementStep[] = saga.events.map((e) => ({
      type: e.type,
      at: typeof e.data.at === 'string' ? e.data.at : e.createdAt.toISOString(),
      ...(typeof e.data.reason === 'string' && { reason: e.data.reason }),
    }));
    const last = saga.events[saga.events.length - 1];
    return {
      id,
      kind: saga.kind,
      status: summary.status,
      phase: summary.phase,
      amountMinor: summary.amountMinor.toString(),
      currency: summary.currency,
      walletIds: visibleWalletIds(
        { kind: saga.kind, state: saga.state, walletIds: summary.walletIds },
        principal.userId,
        canReadAnyWallet(principal),
      ),
      requestedAt: summary.requestedAt,
      ...(summary.failureReason && { failureReason: summary.failureReason }),
      ...fxOf(saga.state),
      steps,
      position: formatPosition(last.position),
    };
  }

  /** Money in and out of a wallet per month and kind (top-up, transfer, withdrawal…), newest first. */
  @Get('wallets/:walletId/statistics')
  @ApiQuery({ name: 'from', required: false, description: 'First month, YYYY-MM (UTC)' })
  async walletStatistics(
    @CurrentPrincipal() principal: Principal,
    @Param('walletId', WALLET_ID) walletId: string,
    @Query('from') from?: string,
  ): Promise<{ walletId: string; months: MonthlyTotal[] }> {
    if (from !== undefined && !MONTH.test(from)) throw new RejectionException('invalid_month');
    const { wallet } = await this.wallets.state(walletId);
    const visible =
      wallet.status !== 'unopened' &&
      (wallet.ownerId === principal.userId || canReadAnyWallet(principal));
    if (!visible) throw new RejectionException('wallet_not_found');
    return { walletId, months: await this.statistics.monthly(walletId, from) };
  }
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
