import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { PAYMENT_GATEWAY, type PaymentGateway } from '@ledger/payments';

/**
 * Each user's customer at the payment provider
 * (migrations/038_payment_customers.sql). Cards are linked to, listed for,
 * unlinked from and charged from this customer, never from a shared or
 * guessed one, so the provider refuses another user's card too.
 *
 * The customer is created through the gateway under a key derived from the
 * user id: two first requests racing each other, or a retry after the row
 * failed to be written, get the same customer from the provider, and the
 * row is written once.
 */
@Injectable()
export class PaymentCustomers {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  /** The user's customer, or undefined when the user never needed one (and so has no cards). */
  async find(userId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ customer_ref: string }>(
      'SELECT customer_ref FROM payment_customers WHERE provider = $1 AND user_id = $2',
      [this.gateway.provider, userId],
    );
    return rows[0]?.customer_ref;
  }

  /** The user's customer, created at the provider the first time. Gateway errors propagate. */
  async ensure(userId: string): Promise<string> {
    const known = await this.find(userId);
    if (known) return known;
    const { customerRef } = await this.gateway.createCustomer({
      metadata: { ledger_user: userId },
      idempotencyKey: customerKeyOf(userId),
    });
    await this.db.query(
      `INSERT INTO payment_customers (provider, user_id, customer_ref) VALUES ($1, $2, $3)
       ON CONFLICT (provider, user_id) DO NOTHING`,
      [this.gateway.provider, userId, customerRef],
    );
    const stored = await this.find(userId);
    if (!stored) throw new Error(`The provider customer of user ${userId} was not stored`);
    return stored;
  }
}

/** The provider's idempotency key for a user's customer: one customer per user, however often asked. */
export function customerKeyOf(userId: string): string {
  return `user-${userId}:customer`;
}
