import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import { TransferQuoteQuery } from '@ledger/movements';
import { RejectionException } from '../http/rejection';
import { amountOf, callerOf } from '../movements/movement-http';
import { TransferQuoteDto, TransferQuoteView } from './transfer-quote.dto';

/**
 * What a transfer would credit, before it is made (`TransferQuoteQuery`):
 * the same checks as POST /transfers, nothing recorded, and an answer that
 * names currencies and amounts only.
 */
@ApiTags('transfers')
@ApiBearerAuth()
@Controller('transfers')
export class TransferQuoteController {
  constructor(private readonly queries: QueryBus) {}

  @Post('quote')
  @HttpCode(200)
  @ApiOkResponse({ type: TransferQuoteView })
  async quote(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: TransferQuoteDto,
  ): Promise<TransferQuoteView> {
    const quote = await this.queries.execute(
      new TransferQuoteQuery(callerOf(principal), dto.fromWalletId, amountOf(dto.amountMinor), {
        walletId: dto.toWalletId,
        email: dto.toEmail,
        phone: dto.toPhone,
        currency: dto.toCurrency,
      }),
    );
    if (typeof quote === 'string') throw new RejectionException(quote);
    const { credit } = quote;
    return {
      currency: quote.currency,
      amountMinor: quote.amountMinor.toString(),
      creditCurrency: quote.creditCurrency,
      creditAmountMinor: credit.amountMinor.toString(),
      ...(credit.rate && { rate: credit.rate }),
      ...(credit.source && { rateSource: credit.source }),
      ...(credit.asOf && { rateAsOf: credit.asOf }),
      expiresAt: quote.expiresAt.toISOString(),
    };
  }
}
