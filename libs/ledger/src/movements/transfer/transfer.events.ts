import type { RecordStep } from '../saga';

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
  readonly at: string;
}

export type TransferEvent =
  | { type: 'TransferRequested'; data: TransferRequest }
  | { type: 'TransferFundsHeld'; data: { at: string } }
  | { type: 'TransferRecipientCredited'; data: { at: string } }
  | { type: 'TransferCreditRefused'; data: { reason: string; at: string } }
  | { type: 'TransferHoldCaptured'; data: { at: string } }
  | { type: 'TransferHoldReleased'; data: { at: string } }
  | { type: 'TransferCompleted'; data: { at: string } }
  /** Terminal. `compensated` says whether compensating steps ran (false when nothing had moved yet). */
  | { type: 'TransferFailed'; data: { reason: string; compensated: boolean; at: string } };

export const TRANSFER_EVENT_TYPES: readonly TransferEvent['type'][] = [
  'TransferRequested',
  'TransferFundsHeld',
  'TransferRecipientCredited',
  'TransferCreditRefused',
  'TransferHoldCaptured',
  'TransferHoldReleased',
  'TransferCompleted',
  'TransferFailed',
];

/** Hold the sender's money, credit the recipient, capture the hold; or release it when the credit is refused. */
export const TRANSFER_STEPS = ['hold', 'credit', 'capture', 'release'] as const;
export type TransferStep = (typeof TRANSFER_STEPS)[number];

export type TransferCommand =
  | {
      readonly type: 'RequestTransfer';
      readonly commandId: string;
      readonly request: TransferRequest;
    }
  | RecordStep<TransferStep>;
