import type { PaymentMethodSummary } from '../payment-gateway.port';

/** Bounds what an embedded process remembers; the oldest card is forgotten first. */
const MAX_REMEMBERED_CARDS = 100_000;

/**
 * The sandbox's linked cards, each with the customer it belongs to, so that
 * a charge with another customer's card is refused as the provider would.
 * Customers themselves are not remembered: their ids derive from the
 * idempotency key, so a restarted sandbox still recognises one it created.
 */
export class SandboxCards {
  private readonly cards = new Map<string, PaymentMethodSummary & { customerRef: string }>();

  link(card: PaymentMethodSummary, customerRef: string): void {
    if (this.cards.size >= MAX_REMEMBERED_CARDS)
      this.cards.delete(this.cards.keys().next().value as string);
    this.cards.set(card.paymentMethodId, { ...card, customerRef });
  }

  listFor(customerRef: string, limit: number): PaymentMethodSummary[] {
    const owned: PaymentMethodSummary[] = [];
    for (const { customerRef: owner, ...card } of this.cards.values()) {
      if (owned.length >= limit) break;
      if (owner === customerRef) owned.push(card);
    }
    return owned;
  }

  belongsTo(paymentMethodId: string, customerRef: string): boolean {
    return this.cards.get(paymentMethodId)?.customerRef === customerRef;
  }

  /** False when no such card is linked. */
  detach(paymentMethodId: string): boolean {
    return this.cards.delete(paymentMethodId);
  }
}
