import { Inject, Injectable, Optional } from '@nestjs/common';
import { ContactDirectory } from '@ledger/identity';
import type { MobileMoneyRejection } from '@ledger/ledger';
import { MOBILE_MONEY_GATEWAY, type PaymentGateway } from '@ledger/payments';

/** One M-Pesa transaction moves at most KES 250,000 (in cents here). */
const MAX_MINOR = 250_000n * 100n;

/**
 * Who pays a mobile-money top-up, or receives a mobile-money withdrawal, and
 * whether the rail takes the amount: KES only, in whole shillings (the ledger
 * keeps cents, M-Pesa does not), from or to the phone number on the wallet
 * owner's profile. Checked before anything is written or sent.
 */
@Injectable()
export class MobileMoneyPayer {
  constructor(
    @Optional() @Inject(MOBILE_MONEY_GATEWAY) readonly gateway: PaymentGateway | null,
    private readonly contacts: ContactDirectory,
  ) {}

  /** The refusal, or the rail's gateway and the owner's phone number. */
  async check(
    ownerId: string,
    amountMinor: bigint,
    currency: string,
  ): Promise<MobileMoneyRejection | { gateway: PaymentGateway; phone: string }> {
    const refusal = amountRefusal(amountMinor, currency);
    if (!this.gateway) return 'payment_method_unavailable';
    if (refusal) return refusal;
    const phone = (await this.contacts.contactOf(ownerId))?.phone;
    if (!phone) return 'phone_number_required';
    return { gateway: this.gateway, phone };
  }
}

export function amountRefusal(
  amountMinor: bigint,
  currency: string,
): MobileMoneyRejection | undefined {
  if (currency !== 'KES') return 'method_currency_unsupported';
  if (amountMinor % 100n !== 0n) return 'amount_not_whole_shillings';
  if (amountMinor > MAX_MINOR) return 'amount_above_method_limit';
  return undefined;
}
