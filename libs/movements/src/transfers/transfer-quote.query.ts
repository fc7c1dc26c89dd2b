import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { RATE_PROVIDER, type Caller, type RateProvider, type RecipientRef } from '@ledger/ledger';
import { WalletCommands } from '@ledger/ledger/nest';
import { RecipientResolver } from './recipient.resolver';
import { creditFor, type TransferCredit } from './transfer-credit';

/** How long a quote is shown as current before the app asks again. */
export const QUOTE_TTL_MS = 60_000;

/**
 * Who or what the transfer would credit, as the request names it: exactly
 * one of a wallet, an e-mail address, a phone number (the recipient the
 * transfer would name) or a currency alone, before a recipient is known.
 */
export interface QuoteRecipient {
  readonly walletId?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly currency?: string;
}

export type TransferQuoteRejection =
  | 'wallet_not_found'
  | 'recipient_required'
  | 'recipient_not_found'
  | 'recipient_ambiguous'
  | 'fx_rate_unavailable'
  | 'converted_amount_too_small';

export interface TransferQuote {
  /** The sender's currency. */
  readonly currency: string;
  readonly amountMinor: bigint;
  /** The currency the recipient would be credited in, and what it would get. */
  readonly creditCurrency: string;
  readonly credit: TransferCredit;
  /** The rate is not held: after this the app asks again. */
  readonly expiresAt: Date;
}

/**
 * What a transfer would credit, before it is made: the same checks as
 * `StartTransferCommand` (the sender's wallet is the caller's, the recipient
 * exists, a rate exists) and the same rate provider and rounding, with
 * nothing recorded. The answer names currencies and amounts only, never the
 * recipient's wallet or owner: the transfer's own answer and statement row
 * reveal as much (its currency and credited amount), no more.
 */
export class TransferQuoteQuery extends Query<TransferQuote | TransferQuoteRejection> {
  constructor(
    readonly caller: Caller,
    readonly fromWalletId: string,
    readonly amountMinor: bigint,
    readonly to: QuoteRecipient,
  ) {
    super();
  }
}

@QueryHandler(TransferQuoteQuery)
export class TransferQuoteHandler implements IQueryHandler<
  TransferQuoteQuery,
  TransferQuote | TransferQuoteRejection
> {
  constructor(
    private readonly wallets: WalletCommands,
    private readonly recipients: RecipientResolver,
    @Inject(RATE_PROVIDER) private readonly rates: RateProvider,
  ) {}

  async execute({
    caller,
    fromWalletId,
    amountMinor,
    to,
  }: TransferQuoteQuery): Promise<TransferQuote | TransferQuoteRejection> {
    const { wallet: sender } = await this.wallets.state(fromWalletId);
    // Another user's wallet looks missing, as it does to StartTransferCommand.
    if (sender.status === 'unopened' || (sender.ownerId !== caller.userId && !caller.actsForOthers))
      return 'wallet_not_found';
    const credited = await this.credited(to, sender.currency);
    if (typeof credited === 'string') return credited;
    const creditCurrency = credited.currency;
    const credit = await creditFor(this.rates, amountMinor, sender.currency, creditCurrency);
    if (typeof credit === 'string') return credit;
    return {
      currency: sender.currency,
      amountMinor,
      creditCurrency,
      credit,
      expiresAt: new Date(Date.now() + QUOTE_TTL_MS),
    };
  }

  /** The currency the recipient would be credited in. */
  private async credited(
    to: QuoteRecipient,
    currency: string,
  ): Promise<{ currency: string } | TransferQuoteRejection> {
    const given = [
      to.walletId && { walletId: to.walletId },
      to.email && { email: to.email },
      to.phone && { phone: to.phone },
    ].filter((r): r is RecipientRef => Boolean(r));
    if (given.length + (to.currency ? 1 : 0) !== 1) return 'recipient_required';
    const [ref] = given;
    if (!ref) return { currency: to.currency ?? currency };
    const recipient = await this.recipients.resolve(ref, currency);
    return typeof recipient === 'string' ? recipient : { currency: recipient.currency };
  }
}
