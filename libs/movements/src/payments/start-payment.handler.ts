import { Inject, Logger, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { RecipientDirectory } from '@ledger/identity';
import {
  deriveId,
  SagaStepper,
  sagaStreamId,
  StartPaymentCommand,
  type MovementStarted,
  type Transfer,
  type TransferRequest,
} from '@ledger/ledger';
import { MovementStreams, WalletCommands } from '@ledger/ledger/nest';
import { openWalletsOfOwner } from '@ledger/read-models';
import {
  completeTogether,
  DEFAULT_INLINE_LEASE_MS,
  INLINE_LEASE,
  inlineUntil,
  runInline,
} from '../inline-saga';

/**
 * A payment whose attempt failed (the payer lacked the money) leaves its
 * reference free: the next attempt is a movement of its own. This bounds
 * how many failed attempts one order reference may have.
 */
export const MAX_PAYMENT_ATTEMPTS = 20;

/** A merchant keeps a few wallets, one per currency in practice; this bounds the lookup. */
const MAX_MERCHANT_WALLETS = 50;

/**
 * Pays a merchant: a transfer of kind `payment` from the caller's wallet to
 * the merchant's wallet in the payment's currency, run within the request
 * like a transfer. The payment's id derives from the merchant and the order
 * reference (and the attempt), so paying the same order again, from any
 * process and with any Idempotency-Key, finds the first payment on its
 * stream and answers it: the stream's expected revision lets only one
 * request record it.
 */
@CommandHandler(StartPaymentCommand)
export class StartPaymentHandler implements ICommandHandler<StartPaymentCommand, MovementStarted> {
  constructor(
    private readonly wallets: WalletCommands,
    private readonly streams: MovementStreams,
    private readonly directory: RecipientDirectory,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly stepper: SagaStepper,
    @Optional()
    @Inject(INLINE_LEASE)
    private readonly leaseMs: number = DEFAULT_INLINE_LEASE_MS,
  ) {}

  private readonly logger = new Logger('payments');

  async execute({ input }: StartPaymentCommand): Promise<MovementStarted> {
    const { wallet: payer } = await this.wallets.state(input.walletId);
    if (
      payer.status === 'unopened' ||
      (payer.ownerId !== input.caller.userId && !input.caller.actsForOthers)
    )
      return { ok: false, rejection: 'wallet_not_found' };
    if (payer.currency !== input.currency) return { ok: false, rejection: 'currency_mismatch' };
    // Anyone who is not a merchant answers as no merchant at all.
    if (!(await this.directory.isMerchant(input.merchantId)))
      return { ok: false, rejection: 'merchant_not_found' };
    const merchantWallet = await this.merchantWallet(input.merchantId, input.currency);
    if (!merchantWallet) return { ok: false, rejection: 'currency_mismatch' };
    if (merchantWallet === input.walletId)
      return { ok: false, rejection: 'transfer_to_same_wallet' };

    let races = 0;
    for (let attempt = 0; attempt < MAX_PAYMENT_ATTEMPTS;) {
      const paymentId = deriveId('payment', input.merchantId, input.reference, String(attempt));
      const stream = sagaStreamId('transfer', paymentId);
      const existing = await this.streams.replay(stream);
      const state = existing?.state as Transfer | undefined;
      if (existing && state && state.phase !== 'none') {
        if (state.phase === 'failed') {
          attempt++;
          continue;
        }
        if (state.request.fromOwnerId !== payer.ownerId)
          return { ok: false, rejection: 'payment_reference_taken' };
        // The same order paid again: the first payment's answer, marked as a repeat.
        const first = await runInline(
          { stepper: this.stepper, streams: this.streams, logger: this.logger },
          stream,
          existing.revision ?? 0n,
          input.commandId,
          existing.events[0]?.position,
        );
        return first.ok ? { ...first, repeated: true } : first;
      }
      const at = new Date().toISOString();
      const request: TransferRequest = {
        transferId: paymentId,
        requestedBy: input.caller.userId,
        fromWalletId: input.walletId,
        fromOwnerId: payer.ownerId,
        toWalletId: merchantWallet,
        toOwnerId: input.merchantId,
        amountMinor: input.amountMinor,
        currency: input.currency,
        creditAmountMinor: input.amountMinor,
        creditCurrency: input.currency,
        kind: 'payment',
        reference: input.reference,
        at,
        inlineUntil: inlineUntil(at, this.leaseMs),
      };
      const command = { type: 'StartTransfer', commandId: input.commandId, request };
      const context = { correlationId: input.commandId };
      const deps = { stepper: this.stepper, streams: this.streams, logger: this.logger };
      const completed = await completeTogether(deps, stream, command, context);
      if (completed) return completed;
      const outcome = await this.streams.record(stream, command, context);
      if (!outcome.ok) {
        // Another request recorded this attempt first: read what it recorded.
        if (outcome.rejection === 'movement_already_exists' && races++ < 3) continue;
        return { ok: false, rejection: outcome.rejection };
      }
      return runInline(deps, stream, outcome.revision, input.commandId, outcome.position);
    }
    return { ok: false, rejection: 'payment_reference_taken' };
  }

  /** The merchant's open wallet in the currency, the first opened when there are several. */
  private async merchantWallet(merchantId: string, currency: string): Promise<string | undefined> {
    const owned = await openWalletsOfOwner(this.db, merchantId, MAX_MERCHANT_WALLETS);
    return owned.find((w) => w.currency === currency)?.walletId;
  }
}
