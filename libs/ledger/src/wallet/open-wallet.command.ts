import type { Position } from '@ledger/event-store';

/**
 * Opens a wallet. Dispatched on the `@nestjs/cqrs` CommandBus; the handler
 * lives in the ledger module. `commandId` makes the command idempotent: the
 * same id opens the wallet once and returns the same wallet id.
 */
export class OpenWalletCommand {
  constructor(
    readonly input: {
      readonly ownerId: string;
      /** ISO 4217 code, e.g. "USD". */
      readonly currency: string;
      readonly commandId: string;
      readonly correlationId?: string;
    },
  ) {}
}

export interface OpenWalletResult {
  readonly walletId: string;
  readonly currency: string;
  /** Where the opening landed in the log; absent when the wallet was already open. */
  readonly position?: Position;
}
