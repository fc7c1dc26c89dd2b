import { PAYMENT_GATEWAY, type PaymentGateway } from '@ledger/payments';
import type { DatabaseFactory } from '@ledger/testing';
import type { Response } from 'supertest';
import { key, signUp, startLedgerApp, type LedgerTestApp, type TestUser } from './ledger-app';

/**
 * What the card tests start from, whichever gateway links the cards: the
 * whole service, two users whose sign-up wallets are projected, and the
 * card routes and rows they ask about.
 */
export interface CardsTestBed {
  readonly t: LedgerTestApp;
  readonly alice: TestUser;
  readonly bob: TestUser;
  /** POST /cards/setup-intents for `user`, expected to answer 201. */
  startSetup(user: TestUser): Promise<{ setupIntentId: string; clientSecret: string }>;
  /** The user's customers at the app's gateway, as payment_customers holds them. */
  customersOf(userId: string): Promise<string[]>;
  /** The id of the first wallet GET /wallets lists for `user`. */
  walletOf(user: TestUser): Promise<string>;
  /** POST /top-ups into the user's first wallet, in EUR, with `paymentMethodId` when given. */
  topUp(user: TestUser, amountMinor: number, paymentMethodId?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startCardsTestBed(
  factory: DatabaseFactory,
  env: Record<string, string> = {},
): Promise<CardsTestBed> {
  const t = await startLedgerApp(factory, env);
  const alice = await signUp(t);
  const bob = await signUp(t);
  // The wallets sign-up opened, projected before a test lists them.
  await t.settle();
  const provider = t.app.get<PaymentGateway>(PAYMENT_GATEWAY).provider;
  const walletOf = async (user: TestUser) =>
    (await t.http().get('/wallets').set('Authorization', user.auth).expect(200)).body.items[0]
      .id as string;
  return {
    t,
    alice,
    bob,
    startSetup: async (user) =>
      (
        await t
          .http()
          .post('/cards/setup-intents')
          .set('Authorization', user.auth)
          .set('Idempotency-Key', key())
          .send({})
          .expect(201)
      ).body as { setupIntentId: string; clientSecret: string },
    customersOf: async (userId) =>
      (
        await t.db.query<{ customer_ref: string }>(
          'SELECT customer_ref FROM payment_customers WHERE provider = $1 AND user_id = $2',
          [provider, userId],
        )
      ).rows.map((r) => r.customer_ref),
    walletOf,
    topUp: async (user, amountMinor, paymentMethodId) =>
      t
        .http()
        .post('/top-ups')
        .set('Authorization', user.auth)
        .set('Idempotency-Key', key())
        .send({
          walletId: await walletOf(user),
          amountMinor,
          currency: 'EUR',
          ...(paymentMethodId && { paymentMethodId }),
        }),
    close: () => t.close(),
  };
}
