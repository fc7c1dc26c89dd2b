import type { Position } from '@ledger/event-store';
import type { MovementRejection } from './movement.rejections';
import type { WalletRejection } from '../wallet/wallet.rejections';

/**
 * Commands that start a money movement, dispatched on the `@nestjs/cqrs`
 * CommandBus by the API. Each handler checks what it can up front, records
 * the saga's request on its stream and takes the steps that can be taken at
 * once (a transfer's all, a withdrawal's hold) through the `SagaStepper`;
 * the saga driver does the rest, and resumes what a request left unfinished. `commandId` comes from the request's Idempotency-Key, and the
 * movement id derives from it, so a retried request finds the same movement.
 */
export interface Caller {
  readonly userId: string;
  /** Finance and admin staff may move money out of wallets they do not own. */
  readonly actsForOthers: boolean;
}

export type RecipientRef =
  { readonly walletId: string } | { readonly email: string } | { readonly phone: string };

export class StartTransferCommand {
  constructor(
    readonly input: {
      readonly caller: Caller;
      readonly commandId: string;
      readonly fromWalletId: string;
      readonly to: RecipientRef;
      readonly amountMinor: bigint;
      readonly currency: string;
      readonly description?: string;
    },
  ) {}
}

/**
 * Pays a merchant from one of the caller's wallets, as a transfer of kind
 * `payment`. The merchant's order reference names the payment: paying the
 * same reference again answers the first payment instead of paying twice.
 */
export class StartPaymentCommand {
  constructor(
    readonly input: {
      readonly caller: Caller;
      readonly commandId: string;
      readonly merchantId: string;
      readonly walletId: string;
      readonly amountMinor: bigint;
      readonly currency: string;
      readonly reference: string;
    },
  ) {}
}

/**
 * Refunds part or all of a payment, asked by the merchant who received it:
 * a transfer of kind `refund` from the merchant's wallet back to the payer's.
 */
export class StartRefundCommand {
  constructor(
    readonly input: {
      readonly caller: Caller;
      readonly commandId: string;
      readonly paymentId: string;
      readonly amountMinor: bigint;
      readonly reason?: string;
    },
  ) {}
}

export class StartTopUpCommand {
  constructor(
    readonly input: {
      readonly caller: Caller;
      readonly commandId: string;
      readonly walletId: string;
      readonly amountMinor: bigint;
      readonly currency: string;
      /** The rail: `card` (the default) or `mpesa` (an STK push to the owner's phone). */
      readonly method?: 'card' | 'mpesa';
      /** A card the caller linked, to charge now; the handler checks it is theirs. */
      readonly paymentMethodId?: string;
    },
  ) {}
}

export class StartWithdrawalCommand {
  constructor(
    readonly input: {
      readonly caller: Caller;
      readonly commandId: string;
      readonly walletId: string;
      readonly amountMinor: bigint;
      readonly currency: string;
      /** A linked destination; absent for `mpesa`, which pays the owner's phone number. */
      readonly destinationId?: string;
      readonly method?: 'bank_account' | 'mpesa';
      /**
       * Called once the request has passed every check that can be made
       * before anything is written (the wallet would accept the hold); the
       * route spends the second factor here, and throws to refuse.
       */
      readonly confirm?: () => Promise<void>;
    },
  ) {}
}

export type MovementStartRejection =
  | MovementRejection
  | WalletRejection
  | 'concurrency_conflict'
  | 'card_not_found'
  | 'payment_provider_refused'
  | 'payment_provider_unavailable'
  | MobileMoneyRejection;

/** Refusals of the mobile-money rail, before anything is written or sent. */
export type MobileMoneyRejection =
  | 'payment_method_unavailable'
  | 'method_currency_unsupported'
  | 'amount_not_whole_shillings'
  | 'amount_above_method_limit'
  | 'phone_number_required';

export type MovementStarted =
  | {
      readonly ok: true;
      /** The saga stream id, e.g. `transfer-…`: the movement's public id and the `movementId` on its wallet entries. */
      readonly movementId: string;
      readonly status: 'pending' | 'completed' | 'failed';
      readonly position?: Position;
      /** Only for a card top-up: handed to the browser to confirm the payment. */
      readonly clientSecret?: string;
      /** Only for a payment: the order was paid before, and this is that first payment. */
      readonly repeated?: true;
    }
  | { readonly ok: false; readonly rejection: MovementStartRejection };
