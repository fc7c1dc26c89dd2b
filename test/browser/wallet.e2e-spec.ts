import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCode } from '@ledger/identity';
import { codeInMessage } from '@ledger/notifications';
import { databaseFactories } from '@ledger/testing';
import { adminUser, PASSWORD, startLedgerApp, type LedgerTestApp } from '../support/ledger-app';
import { buildWebApp, chromiumAvailable, launchChromium } from './browser';

const SCREENSHOTS = resolve(__dirname, '../../docs/screenshots');
const LIVE_MS = 15_000;

/**
 * Two people and an operator use the web app in Chromium against the whole
 * service on the embedded default, as `npm start` runs it. The steps build
 * on each other, like a person's afternoon. Screenshots for the docs are
 * taken on the way.
 */
(chromiumAvailable() ? describe : describe.skip)('the web app in a browser', () => {
  jest.setTimeout(120_000);
  // Second factors are checked against this clock: moving it on by a time
  // step gives the next code without waiting 30 seconds for it.
  let clockOffsetMs = 0;
  const clock = { now: () => Date.now() + clockOffsetMs };
  const nextTotp = (secret: string) => {
    clockOffsetMs += 30_000;
    return totpCode(secret, Math.floor(clock.now() / 1000));
  };

  let t: LedgerTestApp;
  let webDir: string;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  const ada = { email: `ada-${Date.now()}@example.com`, page: undefined as unknown as Page };
  const bob = { email: `bob-${Date.now()}@example.com`, page: undefined as unknown as Page };

  beforeAll(async () => {
    webDir = buildWebApp();
    t = await startLedgerApp(databaseFactories()[0], { LEDGER_WEB_DIR: webDir }, clock);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  async function openPage(width = 1100): Promise<Page> {
    const context = await browser.newContext({
      locale: 'en-GB',
      viewport: { width, height: 800 },
      serviceWorkers: 'allow',
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(base + '/');
    return page;
  }

  async function signUp(page: Page, email: string) {
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Currency of your first wallet').fill('EUR');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Your wallets' }).waitFor();
  }

  const balance = (page: Page) => page.getByTestId('balance-EUR');

  async function send(page: Page, to: string, amount: string) {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Send' })
      .click();
    await page.getByLabel('Recipient e-mail').fill(to);
    await page.getByLabel('Amount (EUR)').fill(amount);
    await page.getByRole('button', { name: 'Review' }).click();
  }

  it('signs up two people, each with an empty EUR wallet', async () => {
    ada.page = await openPage();
    bob.page = await openPage(390);
    await signUp(ada.page, ada.email);
    await signUp(bob.page, bob.email);
    await expect(balance(ada.page).textContent()).resolves.toBe('€0.00');
    await expect(balance(bob.page).textContent()).resolves.toBe('€0.00');
  });

  it('keeps the session across a reload through the refresh cookie alone', async () => {
    await ada.page.reload();
    await ada.page.getByRole('heading', { name: 'Your wallets' }).waitFor();
    const stored = await ada.page.evaluate(
      'JSON.stringify({ ...localStorage, ...sessionStorage })',
    );
    expect(stored).toBe('{}');
    expect(await ada.page.evaluate('document.cookie')).toBe('');
  });

  it('tops up by card on the sandbox', async () => {
    const page = ada.page;
    await page.getByRole('link', { name: 'Top up' }).click();
    await page.getByLabel('Amount (EUR)').fill('100');
    await page.getByRole('button', { name: 'Top up' }).click();
    await balance(page).filter({ hasText: '€100.00' }).waitFor({ timeout: LIVE_MS });
    await page.getByText('Top-up of €100.00 completed.').waitFor({ timeout: LIVE_MS });
    await page.getByRole('cell', { name: 'Top-up' }).first().waitFor({ timeout: LIVE_MS });
  });

  it('sends money by e-mail after a confirmation, and the recipient sees it arrive live', async () => {
    await send(ada.page, bob.email, '25');
    await expect(ada.page.getByTestId('confirm-amount').textContent()).resolves.toBe('€25.00');
    await ada.page.screenshot({ path: join(SCREENSHOTS, 'send-confirm.png') });
    await ada.page.getByRole('button', { name: 'Confirm and send' }).click();
    await balance(ada.page).filter({ hasText: '€75.00' }).waitFor({ timeout: LIVE_MS });
    // Bob's page was never reloaded: the balance and the notice arrive by themselves.
    await balance(bob.page).filter({ hasText: '€25.00' }).waitFor({ timeout: LIVE_MS });
    await bob.page.getByText('€25.00 arrived in your EUR wallet.').waitFor({ timeout: LIVE_MS });
    await bob.page.screenshot({ path: join(SCREENSHOTS, 'home-phone.png'), fullPage: true });
    await ada.page.screenshot({ path: join(SCREENSHOTS, 'home.png'), fullPage: true });
  });

  it('lists the transfer once on the statement, with its counterparty masked and the balance after it', async () => {
    const page = ada.page;
    const row = page.getByRole('row').filter({ hasText: 'Transfer' }).first();
    await row.waitFor({ timeout: LIVE_MS });
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).toContain('Completed');
    expect(cells).toContain('−€25.00');
    expect(cells).toContain('€75.00');
    const other = cells.find((c) => c.includes('@example.com'));
    expect(other).toBeDefined();
    expect(other).not.toContain(bob.email);
    // One row per movement: the transfer's hold and capture are not two lines.
    expect(await page.getByRole('row').filter({ hasText: 'Transfer' }).count()).toBe(1);
  });

  it("downloads the month's statement as CSV", async () => {
    const page = ada.page;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^statement-EUR-\d{4}-\d{2}\.csv$/);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toMatch(/^created_at,completed_at,movement_id,kind,status/);
    expect(
      lines.slice(1).filter((l) => l.includes(',transfer,completed,out,-2500,EUR,')),
    ).toHaveLength(1);
    expect(
      lines.slice(1).filter((l) => l.includes(',top_up,completed,in,10000,EUR,')),
    ).toHaveLength(1);
  });

  it('shows the last balances and statement offline, read-only and marked offline', async () => {
    const page = bob.page;
    // Bob's page has not been reloaded since it opened: only the service
    // worker's install step can have kept the files the app starts from.
    await page.evaluate('navigator.serviceWorker.ready');
    await page.context().setOffline(true);
    try {
      await page.reload();
      await page
        .getByText('Offline: showing the balances and statement saved on this device')
        .waitFor();
      await expect(balance(page).textContent()).resolves.toBe('€25.00');
      await page.getByRole('cell', { name: 'Transfer' }).first().waitFor();
      expect(await page.getByRole('link', { name: 'Send' }).count()).toBe(0);
    } finally {
      await page.context().setOffline(false);
    }
  });

  it('explains a refused overdraft next to the amount, with nothing moved', async () => {
    await send(ada.page, bob.email, '1000');
    await ada.page.getByRole('button', { name: 'Confirm and send' }).click();
    const error = ada.page.getByText('Not enough money in this wallet');
    await error.waitFor();
    await expect(ada.page.getByLabel('Amount (EUR)').getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
    await ada.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Home' })
      .click();
    await expect(balance(ada.page).textContent()).resolves.toBe('€75.00');
  });

  it('withdraws after verifying the e-mail and enrolling 2FA, each step asking for a code', async () => {
    const page = ada.page;
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('Code from the e-mail').waitFor();
    const code = [...t.emails]
      .reverse()
      .map((m) => (m.to === ada.email ? codeInMessage(m.text) : undefined))
      .find(Boolean);
    await page.getByLabel('Code from the e-mail').fill(code!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Your e-mail address is verified.').waitFor();

    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    await page.getByLabel('First code from the app').fill(await nextTotp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    expect(await page.getByTestId('recovery-codes').getByRole('listitem').count()).toBe(10);
    await page.screenshot({ path: join(SCREENSHOTS, 'recovery-codes.png') });
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('Two-step verification is on.').waitFor();

    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('link', { name: 'Withdraw' }).click();
    await page.getByLabel('Bank account reference').fill('ba_123');
    await page.getByLabel('Code from your authenticator app').fill(await nextTotp(secret));
    await page.getByRole('button', { name: 'Link account' }).click();
    await page.getByRole('heading', { name: 'Withdraw' }).waitFor();
    await page.getByLabel('Amount (EUR)').fill('15');
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByText('That code is not right').waitFor();
    await page.getByLabel('Code from your authenticator app').fill(await nextTotp(secret));
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await balance(page).filter({ hasText: '€60.00' }).waitFor({ timeout: LIVE_MS });
  });

  it('shows an operator the trial balance, balanced per currency', async () => {
    const operator = await adminUser(t, ['finance', 'auditor']);
    const page = await openPage();
    await page.getByLabel('E-mail').fill(operator.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Console' }).click();
    const row = page
      .getByRole('table', { name: 'Trial balance' })
      .getByRole('row', { name: /EUR/ });
    await row.waitFor({ timeout: LIVE_MS });
    await expect(row.getByRole('cell').last().textContent()).resolves.toBe('Yes');
    await page.getByText('LoginSucceeded').first().waitFor({ timeout: LIVE_MS });
    // Every movement of the afternoon settled: none is parked or long pending.
    await page
      .getByText('Nothing is parked or pending for more than 30 minutes.')
      .waitFor({ timeout: LIVE_MS });
    await page.screenshot({ path: join(SCREENSHOTS, 'console.png'), fullPage: true });
  });

  it('keeps a customer out of the console: the API refuses them too', async () => {
    const refused = await ada.page.evaluate("fetch('/ledger/trial-balance').then((r) => r.status)");
    expect(refused).toBe(401);
    expect(await ada.page.getByRole('link', { name: 'Console' }).count()).toBe(0);
  });
});
