import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { databaseFactories } from '@ledger/testing';
import { StripeStandIn } from '../../libs/payments/src/stripe/stripe-stand-in';
import { PASSWORD, startLedgerApp, type LedgerTestApp } from '../support/ledger-app';
import { buildWebApp, chromiumAvailable, launchChromium } from './browser';

const LIVE_MS = 15_000;
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
  };
};
`;

(chromiumAvailable() ? describe : describe.skip)('Stripe Elements in the web app', () => {
  jest.setTimeout(120_000);
  let stripe: StripeStandIn;
  let t: LedgerTestApp;
  let webDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const confirmedKeys: string[] = [];

  beforeAll(async () => {
    stripe = await StripeStandIn.start();
    webDir = buildWebApp();
    const [pglite] = databaseFactories();
    if (!pglite) throw new Error('No PGlite database factory');
    t = await startLedgerApp(pglite, {
      LEDGER_WEB_DIR: webDir,
      PAYMENT_GATEWAY: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_browser',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_HOST: `http://${stripe.api.host}:${stripe.api.port}`,
      STRIPE_MAX_NETWORK_RETRIES: '0',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_browser',
    });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 800 } });
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
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    await stripe?.close();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
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
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('E-mail').fill(`stella-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Currency of your first wallet').fill('EUR');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Your wallets' }).waitFor();

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
});
