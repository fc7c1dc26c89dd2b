import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { adminUser, type TestUser } from '../support/ledger-app';
import {
  balance,
  describeInBrowser,
  LIVE_MS,
  nav,
  SCREENSHOTS,
  signIn,
  signUpInPage,
  useBrowserSuite,
} from './browser';

/**
 * A customer pays a merchant in the web app and the merchant refunds part of
 * it, each on a page that is never reloaded: the payment arrives on the
 * merchant's page and the refund on the customer's through GET /me/events.
 */
describeInBrowser('paying a merchant in a browser', () => {
  const suite = useBrowserSuite();
  let merchant: TestUser;
  let merchantPage: Page;
  let customerPage: Page;
  const streams: Response[] = [];
  const reference = `order-${Date.now()}`;
  const customerEmail = `customer-${Date.now()}@example.com`;

  beforeAll(async () => {
    merchant = await adminUser(suite.t, ['customer', 'merchant']);
  });

  const openPage = () =>
    suite.openPage({
      before: (page) => {
        page.on('response', (r) => {
          if (new URL(r.url()).pathname === '/me/events') streams.push(r);
        });
      },
    });
  const payment = () => merchantPage.getByTestId(`payment-${reference}`);

  it('opens the merchant on Payments received, following the event stream', async () => {
    merchantPage = await openPage();
    await signIn(merchantPage, merchant.email);
    await nav(merchantPage, 'Payments received');
    await merchantPage.getByText('No payments received yet.').waitFor();
    await expect(merchantPage.getByTestId('merchant-id').textContent()).resolves.toBe(
      merchant.userId,
    );
    // Payments received is for merchants: the operator console is not.
    await expect(merchantPage.getByRole('link', { name: 'Console' }).count()).resolves.toBe(0);
  });

  it('lets a customer pay the merchant after a confirmation; the merchant sees it arrive live', async () => {
    customerPage = await openPage();
    await signUpInPage(customerPage, customerEmail);
    await customerPage.getByRole('link', { name: 'Top up' }).click();
    await customerPage.getByLabel('Amount (EUR)').fill('100');
    await customerPage.getByRole('button', { name: 'Top up' }).click();
    await balance(customerPage).filter({ hasText: '€100.00' }).waitFor({ timeout: LIVE_MS });

    await nav(customerPage, 'Pay');
    await customerPage.getByLabel('Merchant id').fill(merchant.userId);
    await customerPage.getByLabel('Order reference').fill(reference);
    await customerPage.getByLabel('Amount (EUR)').fill('30');
    await customerPage.getByRole('button', { name: 'Review' }).click();
    await expect(customerPage.getByTestId('confirm-amount').textContent()).resolves.toBe('€30.00');
    await customerPage.getByRole('button', { name: 'Confirm and pay' }).click();
    await customerPage
      .getByTestId('payment-answer')
      .getByText(`Paid €30.00 for order ${reference}.`)
      .waitFor({ timeout: LIVE_MS });
    await customerPage.screenshot({ path: join(SCREENSHOTS, 'pay.png'), fullPage: true });

    // The merchant's page was never reloaded.
    await payment().waitFor({ timeout: LIVE_MS });
    await expect(payment().getByTestId('refund-totals').textContent()).resolves.toBe(
      'Refunded €0.00; left €30.00',
    );
    const merchantStreams = streams.filter((r) => r.frame().page() === merchantPage);
    const [merchantStream] = merchantStreams;
    expect(merchantStream).toBeDefined();
    expect(merchantStream?.status()).toBe(200);
    expect(merchantStream?.headers()['content-type']).toMatch(/^text\/event-stream/);
  });

  it('answers a second payment of the same order with the first one, charging nothing', async () => {
    await customerPage.getByLabel('Merchant id').fill(merchant.userId);
    await customerPage.getByLabel('Order reference').fill(reference);
    await customerPage.getByLabel('Amount (EUR)').fill('30');
    await customerPage.getByRole('button', { name: 'Review' }).click();
    await customerPage.getByRole('button', { name: 'Confirm and pay' }).click();
    await customerPage
      .getByTestId('payment-answer')
      .getByText(`Order ${reference} was already paid`)
      .waitFor({ timeout: LIVE_MS });
    await nav(customerPage, 'Home');
    await balance(customerPage).filter({ hasText: '€70.00' }).waitFor({ timeout: LIVE_MS });
  });

  it('refunds part of the payment; the customer sees the money come back live', async () => {
    await payment().getByRole('button', { name: 'Refund…' }).click();
    await payment().getByLabel('Part').check();
    await payment().getByLabel('Refund amount (EUR)').fill('10');
    await payment().getByLabel('Reason (optional)').fill('one item out of stock');
    await payment().getByRole('button', { name: 'Refund', exact: true }).click();
    await payment()
      .getByTestId('refund-totals')
      .filter({ hasText: 'Refunded €10.00; left €20.00' })
      .waitFor({ timeout: LIVE_MS });
    await merchantPage.screenshot({ path: join(SCREENSHOTS, 'merchant.png'), fullPage: true });
    // The customer's Home was open all along.
    await balance(customerPage).filter({ hasText: '€80.00' }).waitFor({ timeout: LIVE_MS });
  });

  it('refuses, in words, a refund above what is left, and moves nothing', async () => {
    await payment().getByRole('button', { name: 'Refund…' }).click();
    await payment().getByLabel('Part').check();
    await payment().getByLabel('Refund amount (EUR)').fill('25');
    await payment().getByRole('button', { name: 'Refund', exact: true }).click();
    await payment()
      .getByText('This is more than is left to refund on the payment.')
      .waitFor({ timeout: LIVE_MS });
    await expect(payment().getByTestId('refund-totals').textContent()).resolves.toBe(
      'Refunded €10.00; left €20.00',
    );
    await expect(balance(customerPage).textContent()).resolves.toBe('€80.00');
  });
});
