import { Controller, Get, Header } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '@ledger/identity';
import { SupportedCurrenciesQuery } from '@ledger/ledger/nest';

export class CurrencyView {
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 code' }) code!: string;
  @ApiProperty({ example: 2, description: 'Minor-unit exponent: 1250 minor units are 12.50' })
  exponent!: number;
}

export class CurrencyListView {
  @ApiProperty({ type: [CurrencyView] }) items!: CurrencyView[];
}

/**
 * The currencies wallets can hold, with their exponents, so a frontend
 * turns minor units into a display without a table of its own. Public: a
 * sign-up form offers them before there is a session.
 */
@ApiTags('currencies')
@Controller('currencies')
export class CurrenciesController {
  constructor(private readonly queries: QueryBus) {}

  @Public()
  @Get()
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiOperation({
    summary: 'Supported currencies and their exponents',
    operationId: 'listCurrencies',
  })
  @ApiOkResponse({ type: CurrencyListView })
  async currencies(): Promise<CurrencyListView> {
    const currencies = await this.queries.execute(new SupportedCurrenciesQuery());
    return { items: currencies.map(({ code, exponent }) => ({ code, exponent })) };
  }
}
