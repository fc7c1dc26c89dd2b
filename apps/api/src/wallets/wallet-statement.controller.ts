import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { canReadAnyWallet, CurrentPrincipal, type Principal } from '@ledger/identity';
import type { WalletBalance } from '@ledger/read-models';
import { GetWalletQuery } from '@ledger/read-models/nest';
import { WALLET_ID } from '../http/object-id.pipe';
import { ReadYourWrites } from '../http/read-your-writes';
import { RejectionException } from '../http/rejection';
import { MovementFilterQueryDto, StatementView } from '../movements/movement-list.dto';
import { MovementReads } from '../movements/movement-reads';
import { statementCsv } from '../movements/movement-list.views';

export class StatementQueryDto extends MovementFilterQueryDto {
  @ApiPropertyOptional({
    example: '2026-11',
    description: 'With Accept: text/csv, the month (UTC) to download',
  })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be a month, YYYY-MM' })
  month?: string;
}

/**
 * A wallet's statement: one row per movement that touched it, with the
 * balance after each completed row. JSON pages for a frontend, or a month
 * as CSV for a spreadsheet (`Accept: text/csv`).
 */
@ApiTags('wallets')
@ApiBearerAuth()
@Controller('wallets')
export class WalletStatementController {
  constructor(
    private readonly queries: QueryBus,
    private readonly reads: MovementReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Get(':id/statement')
  @ApiOperation({ summary: "A wallet's statement, newest first", operationId: 'getStatement' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: StatementView })
  async statement(
    @CurrentPrincipal() principal: Principal,
    @Param('id', WALLET_ID) id: string,
    @Query() query: StatementQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: { header(name: string, value: string): unknown },
  ): Promise<StatementView | string> {
    await this.readYourWrites.waitFor(query.position);
    const wallet = await this.readable(principal, id);
    if (accept?.includes('text/csv')) {
      if (!query.month) throw new RejectionException('month_required');
      const rows = await this.reads.statementMonth(id, query.month);
      res.header('Content-Type', 'text/csv; charset=utf-8');
      res.header(
        'Content-Disposition',
        `attachment; filename="statement-${id}-${query.month}.csv"`,
      );
      return statementCsv(rows);
    }
    const page = await this.reads.statement(id, query);
    return { walletId: id, currency: wallet.currency, ...page };
  }

  /** Another customer's wallet answers exactly as a missing one. */
  private async readable(principal: Principal, walletId: string): Promise<WalletBalance> {
    const wallet = await this.queries.execute(new GetWalletQuery(walletId));
    if (!wallet || (wallet.ownerId !== principal.userId && !canReadAnyWallet(principal)))
      throw new RejectionException('wallet_not_found');
    return wallet;
  }
}
