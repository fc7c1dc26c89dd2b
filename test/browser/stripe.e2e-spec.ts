import { createHmac } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { StripeStandIn } from '../../libs/payments/src/stripe/stripe-stand-in';
import type { LedgerTestApp } from '../support/ledger-app';
import { describeInBrowser, LIVE_MS, nav, signUpInPage, useBrowserSuite } from './browser';
const WEBHOOK_SECRET = 'whsec_browser_test';
const DECLINED_CARD = '4000000000000002';

/**
 * What Stripe.js does for the app, small enough to read: `Stripe(key)`,
 * `elements().create('card')` mounting one labelled input, and
 * `confirmCardPayment`, which hands the client secret and the number to the
 * test (as Stripe's servers would receive them) and answers as Stripe.js
 * does. Served by `page.route` for https://js.stripe.com/v3: there is no
 * network here, and the page's CSP must still allow that origin.
 */
const STRIPE_JS_STAND_IN = `
window.Stripe = function (key) {
  if (!/^pk_/.test(key)) throw new Error('Invalid publishable key');
  var input;
  return {
    elements: function () {
      return {
        create: function () {
          return {
            mount: function (target) {
              input = document.createElement('input');
              input.setAttribute('aria-label', 'Card number (Stripe)');
              target.appendChild(input);
            },
            destroy: function () { if (input) input.remove(); },
          };
        },
      };
    },
    confirmCardPayment: function (clientSecret, data) {
      if (!data || !data.payment_method || !data.payment_method.card) throw new Error('No card');
      return window.stripeStandInConfirm(key, clientSecret, input ? input.value : '');
    },
    confirmCardSetup: function (clientSecret, data) {
      if (!data || !data.payment_method || !data.payment_method.card) throw new Error('No card');
      return window.stripeStandInSetup(key, clientSecret, input ? input.value : '');
    },
  };
};
`;

describeInBrowser('Stripe Elements in the web app', () => {
  let stripe: StripeStandIn;
  beforeAll(async () => {
    stripe = await StripeStandIn.start();
  });
  const suite = useBrowserSuite({
    env: () => ({
      PAYMENT_GATEWAY: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_browser',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_HOST: `http://${stripe.api.host}:${stripe.api.port}`,
      STRIPE_MAX_NETWORK_RETRIES: '0',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_browser',
    }),
  });
  afterAll(async () => {
    await stripe?.close();
  });
  let t: LedgerTestApp;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const confirmedKeys: string[] = [];

  beforeAll(async () => {
    ({ t, base } = suite);
    context = await suite.newContext();
    await context.route('https://js.stripe.com/v3', (route) =>
      route.fulfill({ contentType: 'text/javascript', body: STRIPE_JS_STAND_IN }),
    );
    // Stripe's side of confirmCardPayment: a declined number fails, any
    // other succeeds and Stripe tells the service by its signed webhook.
    await context.exposeFunction(
      'stripeStandInConfirm',
      async (key: string, clientSecret: string, number: string) => {
        confirmedKeys.push(key);
        const id = clientSecret.split('_secret_')[0] ?? '';
        if (number.replace(/\s/g, '') === DECLINED_CARD)
          return { error: { code: 'card_declined', message: 'Your card was declined.' } };
        stripe.succeedPaymentIntent(id);
        await sendWebhook('payment_intent.succeeded', stripe.object(id));
        return { paymentIntent: { id, status: 'succeeded' } };
      },
    );
    // Stripe's side of confirmCardSetup: a declined number fails, any other
    // is attached to the SetupIntent's customer and the intent succeeds.
    await context.exposeFunction(
      'stripeStandInSetup',
      (key: string, clientSecret: string, number: string) => {
        confirmedKeys.push(key);
        const id = clientSecret.split('_secret_')[0] ?? '';
        const digits = number.replace(/\s/g, '');
        if (digits === DECLINED_CARD)
          return { error: { code: 'card_declined', message: 'Your card was declined.' } };
        stripe.succeedSetupIntent(id, { brand: 'visa', last4: digits.slice(-4) });
        return { setupIntent: { id, status: 'succeeded' } };
      },
    );
    page = await context.newPage();
  });

  async function sendWebhook(type: string, object: unknown): Promise<void> {
    const created = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({
      id: `evt_${created}_${Math.random().toString(36).slice(2)}`,
      object: 'event',
      type,
      created,
      data: { object },
    });
    const v1 = createHmac('sha256', WEBHOOK_SECRET).update(`${created}.${payload}`).digest('hex');
    const res = await t
      .http()
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', `t=${created},v1=${v1}`)
      .send(payload);
    if (res.status !== 200) throw new Error(`Webhook refused: ${res.status}`);
  }

  it('allows Stripe.js in the Content-Security-Policy, as this service loads it', async () => {
    const res = await t.http().get('/').set('Accept', 'text/html').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self' https:\/\/js\.stripe\.com/);
    expect(csp).toContain('frame-src');
  });

  it('tops up through the card Element: Stripe confirms the client secret and the wallet is credited', async () => {
    await page.goto(base + '/');
    await signUpInPage(page, `stella-${Date.now()}@example.com`);

    await page.getByRole('link', { name: 'Top up' }).click();
    // Stripe's form, not the sandbox's.
    await page.getByLabel('Card number (Stripe)').waitFor();
    expect(await page.getByText('Card (sandbox)').count()).toBe(0);

    await page.getByLabel('Amount (EUR)').fill('40');
    await page.getByLabel('Card number (Stripe)').fill(DECLINED_CARD);
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByText('Your card was declined.').waitFor();

    await page.getByLabel('Card number (Stripe)').fill('4242424242424242');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page
      .getByTestId('balance-EUR')
      .filter({ hasText: '€40.00' })
      .waitFor({ timeout: LIVE_MS });
    expect(confirmedKeys).toEqual(['pk_test_browser', 'pk_test_browser']);
  });

  it('links a card through the card Element, lists it and tops up with it', async () => {
    confirmedKeys.length = 0;
    await page.getByRole('link', { name: 'Cards' }).click();
    await page.getByText('No card is linked yet.').waitFor();
    await page.getByRole('button', { name: 'Link a card' }).click();
    await page.getByLabel('Card number (Stripe)').fill(DECLINED_CARD);
    await page.getByRole('button', { name: 'Link this card' }).click();
    await page.getByText('Your card was declined.').waitFor();
    expect(stripe.latest('setup_intent')?.status).toBe('requires_payment_method');

    await page.getByLabel('Card number (Stripe)').fill('4242424242424242');
    await page.getByRole('button', { name: 'Link this card' }).click();
    const linked = page.getByRole('list', { name: 'Linked cards' });
    await linked.getByText('Visa ending 4242, expires 12/2030').waitFor();
    expect(await page.getByLabel('Card number (Stripe)').count()).toBe(0);
    expect(confirmedKeys).toEqual(['pk_test_browser', 'pk_test_browser']);
    const setup = stripe.latest('setup_intent');
    expect(setup?.status).toBe('succeeded');

    // The linked card pays at once, off-session; Stripe's webhook credits the wallet.
    await nav(page, 'Home');
    await page.getByRole('link', { name: 'Top up' }).click();
    await page.getByLabel('Card', { exact: true }).waitFor();
    await page.getByLabel('Amount (EUR)').fill('15');
    expect(await page.getByLabel('Card number (Stripe)').count()).toBe(0);
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByRole('heading', { name: 'Your wallets' }).waitFor();
    const charge = stripe.latest('payment_intent');
    expect(charge).toMatchObject({
      status: 'succeeded',
      payment_method: setup?.payment_method,
      customer: setup?.customer,
      amount: 1500,
    });
    await sendWebhook('payment_intent.succeeded', charge);
    await page
      .getByTestId('balance-EUR')
      .filter({ hasText: '€55.00' })
      .waitFor({ timeout: LIVE_MS });
  });
});
