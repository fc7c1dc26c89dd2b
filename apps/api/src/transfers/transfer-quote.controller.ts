import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import { RATE_PROVIDER, type RateProvider, type RecipientRef } from '@ledger/ledger';
import { WalletCommands } from '@ledger/ledger/nest';
import { RejectionException } from '../http/rejection';
import { amountOf, callerOf } from '../movements/movement-http';
import { creditFor, RecipientResolver } from '@ledger/movements';
import { TransferQuoteDto, TransferQuoteView } from './transfer-quote.dto';

/** How long a quote is shown as current before the app asks again. */
export const QUOTE_TTL_MS = 60_000;

/**
 * What a transfer would credit, before it is made: the same checks as
 * POST /transfers (the sender's wallet is the caller's, the recipient
 * exists, a rate exists) and the same rate provider and rounding, with
 * nothing recorded. The answer names currencies and amounts only, never the
 * recipient's wallet or owner: the transfer's own answer and statement row
 * reveal as much (its currency and credited amount), no more.
 */
@ApiTags('transfers')
@ApiBearerAuth()
@Controller('transfers')
export class TransferQuoteController {
  constructor(
    private readonly wallets: WalletCommands,
    private readonly recipients: RecipientResolver,
    @Inject(RATE_PROVIDER) private readonly rates: RateProvider,
  ) {}

  @Post('quote')
  @HttpCode(200)
  @ApiOkResponse({ type: TransferQuoteView })
  async quote(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: TransferQuoteDto,
  ): Promise<TransferQuoteView> {
    const caller = callerOf(principal);
    const amountMinor = amountOf(dto.amountMinor);
    const { wallet: sender } = await this.wallets.state(dto.fromWalletId);
    // Another user's wallet looks missing, as it does to POST /transfers.
    if (sender.status === 'unopened' || (sender.ownerId !== caller.userId && !caller.actsForOthers))
      throw new RejectionException('wallet_not_found');
    const creditCurrency = await this.creditCurrency(dto, sender.currency);
    const credit = await creditFor(this.rates, amountMinor, sender.currency, creditCurrency);
    if (typeof credit === 'string') throw new RejectionException(credit);
    return {
      currency: sender.currency,
      amountMinor: amountMinor.toString(),
      creditCurrency,
      creditAmountMinor: credit.amountMinor.toString(),
      ...(credit.rate && { rate: credit.rate }),
      ...(credit.source && { rateSource: credit.source }),
      ...(credit.asOf && { rateAsOf: credit.asOf }),
      expiresAt: new Date(Date.now() + QUOTE_TTL_MS).toISOString(),
    };
  }

  private async creditCurrency(dto: TransferQuoteDto, currency: string): Promise<string> {
    const given = [
      dto.toWalletId && { walletId: dto.toWalletId },
      dto.toEmail && { email: dto.toEmail },
      dto.toPhone && { phone: dto.toPhone },
    ].filter((r): r is RecipientRef => Boolean(r));
    if (given.length + (dto.toCurrency ? 1 : 0) !== 1)
      throw new RejectionException('recipient_required');
    const [ref] = given;
    if (!ref) return dto.toCurrency ?? currency;
    const recipient = await this.recipients.resolve(ref, currency);
    if (typeof recipient === 'string') throw new RejectionException(recipient);
    return recipient.currency;
  }
}
