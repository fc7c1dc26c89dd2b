import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { RecipientDirectory } from '@ledger/identity';
import { type RecipientRef } from '@ledger/ledger';
import { WalletCommands } from '@ledger/ledger/nest';
import { openWalletsOfOwner } from '@ledger/read-models';

export interface ResolvedRecipient {
  readonly walletId: string;
  readonly ownerId: string;
  readonly currency: string;
}

/** A user holds a few wallets, one per currency in practice; this bounds the lookup. */
const MAX_WALLETS_PER_USER = 50;

/**
 * Finds the wallet a transfer goes to. By wallet id the stream itself
 * answers; by e-mail or phone the identity directory names the user and the
 * wallet-balances read model lists their open wallets: the one in the
 * transfer's currency wins, a user with a single wallet gets it (converted),
 * and several wallets without a match is ambiguous.
 */
@Injectable()
export class RecipientResolver {
  constructor(
    private readonly wallets: WalletCommands,
    private readonly directory: RecipientDirectory,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
  ) {}

  async resolve(
    ref: RecipientRef,
    currency: string,
  ): Promise<ResolvedRecipient | 'recipient_not_found' | 'recipient_ambiguous'> {
    if ('walletId' in ref) {
      const { wallet } = await this.wallets.state(ref.walletId);
      if (wallet.status === 'unopened') return 'recipient_not_found';
      return { walletId: ref.walletId, ownerId: wallet.ownerId, currency: wallet.currency };
    }
    const userId =
      'email' in ref
        ? await this.directory.findUserIdByEmail(ref.email)
        : await this.directory.findUserIdByPhone(ref.phone);
    if (!userId) return 'recipient_not_found';
    const owned = await openWalletsOfOwner(this.db, userId, MAX_WALLETS_PER_USER);
    const match =
      owned.find((w) => w.currency === currency) ?? (owned.length === 1 ? owned[0] : undefined);
    if (!match) return owned.length === 0 ? 'recipient_not_found' : 'recipient_ambiguous';
    return { walletId: match.walletId, ownerId: userId, currency: match.currency };
  }
}
