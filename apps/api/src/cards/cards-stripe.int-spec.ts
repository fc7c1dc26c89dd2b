import { databaseFactories } from '@ledger/testing';
import { StripeStandIn } from '../../../../libs/payments/src/stripe/stripe-stand-in';
import { startCardsTestBed, type CardsTestBed } from '../../../../test/support/cards';
import { signUp, type LedgerTestApp, type TestUser } from '../../../../test/support/ledger-app';

/**
 * Linking a card through Stripe Elements, against the Stripe stand-in: the
 * service starts a SetupIntent for the caller's own customer, the browser
 * confirms it with Stripe (here `succeedSetupIntent`, as confirmCardSetup
 * would), and the confirm route answers the card it linked, which then
 * appears in the list and pays for a top-up. Another user's SetupIntent
 * answers exactly like a missing one; one Stripe has not confirmed is 409.
 */
describe.each(databaseFactories())('linking a card with Stripe on $name', (factory) => {
  let stripe: StripeStandIn;
  let bed: CardsTestBed;
  let t: LedgerTestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    stripe = await StripeStandIn.start();
    bed = await startCardsTestBed(factory, {
      PAYMENT_GATEWAY: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_cards',
      STRIPE_WEBHOOK_SECRET: 'whsec_cards',
      STRIPE_API_HOST: `http://${stripe.api.host}:${stripe.api.port}`,
      STRIPE_MAX_NETWORK_RETRIES: '0',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_cards',
    });
    ({ t, alice, bob } = bed);
  });
  afterAll(async () => {
    await bed?.close();
    await stripe?.close();
  });

  const startSetup = (user: TestUser) => bed.startSetup(user);

  const confirm = (user: TestUser, setupIntentId: string) =>
    t
      .http()
      .post(`/cards/setup-intents/${setupIntentId}/confirm`)
      .set('Authorization', user.auth)
      .send();

  it("creates the SetupIntent for the caller's own customer at Stripe", async () => {
    const setup = await startSetup(alice);
    expect(setup.setupIntentId).toMatch(/^seti_/);
    expect(setup.clientSecret).toContain('_secret_');
    const intent = stripe.object(setup.setupIntentId);
    expect(await bed.customersOf(alice.userId)).toEqual([intent?.customer]);
    expect(intent).toMatchObject({ usage: 'off_session', metadata: { user_id: alice.userId } });
  });

  it('refuses a SetupIntent Stripe has not confirmed with 409 setup_intent_not_succeeded', async () => {
    const setup = await startSetup(alice);
    const res = await confirm(alice, setup.setupIntentId);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      type: '/problems/setup_intent_not_succeeded',
      code: 'setup_intent_not_succeeded',
      detail: 'The card company has not confirmed this card setup; confirm it in its form first',
    });
    const cards = await t.http().get('/cards').set('Authorization', alice.auth).expect(200);
    expect(cards.body.items).toEqual([]);
  });

  it('answers the linked card once Stripe confirmed it, the same on a retry, and lists it', async () => {
    const setup = await startSetup(alice);
    const card = stripe.succeedSetupIntent(setup.setupIntentId, { brand: 'visa', last4: '4242' });
    const first = await confirm(alice, setup.setupIntentId);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      paymentMethodId: card,
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
    });
    const retry = await confirm(alice, setup.setupIntentId);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const cards = await t.http().get('/cards').set('Authorization', alice.auth).expect(200);
    expect(cards.body.items).toEqual([first.body]);

    const topUp = await bed.topUp(alice, 900, card);
    expect(topUp.status).toBe(202);
    const charge = stripe.requests.filter((r) => r.path === '/v1/payment_intents').at(-1);
    expect(charge?.params).toMatchObject({
      payment_method: card,
      customer: stripe.object(setup.setupIntentId)?.customer,
    });
  });

  it("answers another user's SetupIntent, confirmed or not, exactly like a missing one", async () => {
    const confirmed = await startSetup(alice);
    stripe.succeedSetupIntent(confirmed.setupIntentId, { brand: 'mastercard', last4: '4444' });
    const pending = await startSetup(alice);
    await startSetup(bob);
    const others = await confirm(bob, confirmed.setupIntentId);
    const othersPending = await confirm(bob, pending.setupIntentId);
    const missing = await confirm(bob, 'seti_standin_999999');
    const malformed = await confirm(bob, 'not-a-setup-intent');
    expect(others.status).toBe(404);
    expect(others.body).toMatchObject({
      type: '/problems/setup_intent_not_found',
      code: 'setup_intent_not_found',
    });
    for (const res of [othersPending, missing, malformed]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(others.body);
    }
    const bobsCards = await t.http().get('/cards').set('Authorization', bob.auth).expect(200);
    expect(bobsCards.body.items).toEqual([]);
  });

  it('answers 404 to a caller who never started linking a card', async () => {
    const carol = await signUp(t);
    const setup = await startSetup(alice);
    const res = await confirm(carol, setup.setupIntentId);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('setup_intent_not_found');
  });
});
