import type { EndInlineRun, RecordStep, RecordSteps, SagaEventShapes } from '../saga';

/**
 * A transfer between two wallets, as recorded on its stream `transfer-<id>`.
 * The request carries everything the saga needs later (owners, currencies,
 * the converted amount and the rate), so no step ever reads a clock, a rate
 * table or a directory again.
 */
export interface TransferRequest {
  readonly transferId: string;
  /** The user who asked; the sender's owner, or staff acting for them. */
  readonly requestedBy: string;
  readonly fromWalletId: string;
  readonly fromOwnerId: string;
  readonly toWalletId: string;
  readonly toOwnerId: string;
  /** Debited from the sender, in the sender's currency. */
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Credited to the recipient, in the recipient's currency (equal to the above without conversion). */
  readonly creditAmountMinor: bigint;
  readonly creditCurrency: string;
  /** Units of creditCurrency per unit of currency, exact decimal; absent without conversion. */
  readonly fxRate?: string;
  readonly fxSource?: string;
  /** When the provider published the rate; absent for the configured table. */
  readonly fxAsOf?: string;
  readonly description?: string;
  /**
   * What the movement is to its parties: a plain transfer (absent), a
   * payment to a merchant, or a refund of one. The saga runs the same steps
   * for all three.
   */
  readonly kind?: 'payment' | 'refund';
  /** A payment's order reference, unique per merchant; a refund carries its payment's. */
  readonly reference?: string;
  /** A refund's payment (its movement id, `transfer-…`). */
  readonly paymentId?: string;
  readonly at: string;
  /**
   * Until when the process that recorded the request takes the saga's steps
   * itself (ISO time); the driver leaves the saga alone until a margin after
   * it. Absent on requests recorded before the lease existed.
   */
  readonly inlineUntil?: string;
}

export type TransferEvent =
  | { type: 'TransferRequested'; data: TransferRequest }
  | { type: 'TransferFundsHeld'; data: { at: string } }
  | { type: 'TransferRecipientCredited'; data: { at: string } }
  | { type: 'TransferCreditRefused'; data: { reason: string; at: string } }
  | { type: 'TransferHoldCaptured'; data: { at: string } }
  | { type: 'TransferHoldReleased'; data: { at: string } }
  | { type: 'TransferCompleted'; data: { at: string } }
  /** The driver took over after the inline run's lease: the inline run records nothing from here on. */
  | { type: 'TransferInlineRunEnded'; data: { at: string } }
  /** Terminal. `compensated` says whether compensating steps ran (false when nothing had moved yet). */
  | { type: 'TransferFailed'; data: { reason: string; compensated: boolean; at: string } }
  /**
   * On a completed payment's stream: part of it is set aside for a refund
   * before the refund moves money, so refunds racing each other are decided
   * one after the other against the same total and never exceed it.
   */
  | { type: 'PaymentRefundReserved'; data: { refundId: string; amountMinor: bigint; at: string } }
  /** The refund failed (the merchant's wallet refused it): its amount is refundable again. */
  | { type: 'PaymentRefundReleased'; data: { refundId: string; amountMinor: bigint; at: string } };

export const TRANSFER_EVENT_TYPES: readonly TransferEvent['type'][] = [
  'TransferRequested',
  'TransferFundsHeld',
  'TransferRecipientCredited',
  'TransferCreditRefused',
  'TransferHoldCaptured',
  'TransferHoldReleased',
  'TransferCompleted',
  'TransferInlineRunEnded',
  'TransferFailed',
  'PaymentRefundReserved',
  'PaymentRefundReleased',
];

/** The fields each stored transfer event must carry (checked on decode). */
export const TRANSFER_EVENT_SHAPES: SagaEventShapes<TransferEvent> = {
  TransferRequested: {
    transferId: 'text',
    requestedBy: 'text',
    fromWalletId: 'text',
    fromOwnerId: 'text',
    toWalletId: 'text',
    toOwnerId: 'text',
    amountMinor: 'minor',
    currency: 'text',
    creditAmountMinor: 'minor',
    creditCurrency: 'text',
    fxRate: 'text?',
    fxSource: 'text?',
    fxAsOf: 'text?',
    description: 'text?',
    kind: { oneOf: ['payment', 'refund'], optional: true },
    reference: 'text?',
    paymentId: 'text?',
    at: 'text',
    inlineUntil: 'text?',
  },
  TransferFundsHeld: { at: 'text' },
  TransferRecipientCredited: { at: 'text' },
  TransferCreditRefused: { reason: 'text', at: 'text' },
  TransferHoldCaptured: { at: 'text' },
  TransferHoldReleased: { at: 'text' },
  TransferCompleted: { at: 'text' },
  TransferInlineRunEnded: { at: 'text' },
  TransferFailed: { reason: 'text', compensated: 'flag', at: 'text' },
  PaymentRefundReserved: { refundId: 'text', amountMinor: 'minor', at: 'text' },
  PaymentRefundReleased: { refundId: 'text', amountMinor: 'minor', at: 'text' },
};

/** Hold the sender's money, credit the recipient, capture the hold; or release it when the credit is refused. */
export const TRANSFER_STEPS = ['hold', 'credit', 'capture', 'release'] as const;
export type TransferStep = (typeof TRANSFER_STEPS)[number];

export type TransferCommand =
  | {
      readonly type: 'StartTransfer';
      readonly commandId: string;
      readonly request: TransferRequest;
    }
  | {
      readonly type: 'ReserveRefund';
      readonly commandId: string;
      /** The refund's movement id (`transfer-…`). */
      readonly refundId: string;
      readonly amountMinor: bigint;
      readonly at: string;
    }
  | {
      readonly type: 'ReleaseRefund';
      readonly commandId: string;
      readonly refundId: string;
      readonly at: string;
    }
  | RecordStep<TransferStep>
  | RecordSteps<TransferStep>
  | EndInlineRun;
