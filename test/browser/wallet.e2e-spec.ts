/* eslint-disable max-lines -- one afternoon in the web app: each step builds on the one before,
   in one browser against one running service. */
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Page } from 'playwright-core';
import { totpCode } from '@ledger/identity';
import { codeInMessage } from '@ledger/notifications';
import {
  adminUser,
  PASSWORD,
  signUp as signUpOverHttp,
  startLedgerApp,
  type LedgerTestApp,
} from '../support/ledger-app';
import { GoogleStandIn } from '../identity/google-stand-in';
import {
  balance,
  describeInBrowser,
  embeddedDatabase,
  LIVE_MS,
  nav,
  SCREENSHOTS,
  signIn,
  signUpInPage as signUp,
  useBrowserSuite,
} from './browser';

/**
 * Two people and an operator use the web app in Chromium against the whole
 * service on the embedded default, as `npm start` runs it. The steps build
 * on each other, like a person's afternoon. Screenshots for the docs are
 * taken on the way.
 */
describeInBrowser('the web app in a browser', () => {
  // Second factors are checked against this clock: moving it on by a time
  // step gives the next code without waiting 30 seconds for it.
  let clockOffsetMs = 0;
  const clock = { now: () => Date.now() + clockOffsetMs };
  const nextTotp = (secret: string) => {
    clockOffsetMs += 30_000;
    return totpCode(secret, Math.floor(clock.now() / 1000));
  };

  const rates = process.env.LEDGER_FX_RATES;
  beforeAll(() => {
    // The rate provider reads the process environment when the module starts.
    process.env.LEDGER_FX_RATES = 'EUR/USD=1.10';
  });
  const suite = useBrowserSuite({ clock });
  afterAll(() => {
    if (rates === undefined) delete process.env.LEDGER_FX_RATES;
    else process.env.LEDGER_FX_RATES = rates;
  });

  let t: LedgerTestApp;
  let base: string;
  let adaSecret = '';
  const wanjiru = {
    email: `wanjiru-${Date.now()}@example.com`,
    page: undefined as unknown as Page,
  };
  const ada = { email: `ada-${Date.now()}@example.com`, page: undefined as unknown as Page };
  const bob = { email: `bob-${Date.now()}@example.com`, page: undefined as unknown as Page };

  beforeAll(() => {
    ({ t, base } = suite);
  });

  const openPage = (width?: number) => suite.openPage({ width });

  async function send(page: Page, to: string, amount: string) {
    await nav(page, 'Send');
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
    await expect(ada.page.getByTestId('confirm-credit').textContent()).resolves.toBe('€25.00');
    expect(await ada.page.getByTestId('confirm-rate').count()).toBe(0);
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

  it('shows the exchange rate and what a recipient in another currency gets before sending', async () => {
    const carol = await signUpOverHttp(t, { currency: 'USD' });
    // Another person's new wallet is found by e-mail once it is projected.
    await t.settle();
    await send(ada.page, carol.email, '10');
    await ada.page.getByRole('heading', { name: 'Confirm the transfer' }).waitFor();
    await expect(ada.page.getByTestId('confirm-rate').textContent()).resolves.toContain(
      '1 EUR = 1.10 USD',
    );
    await expect(ada.page.getByTestId('confirm-credit').textContent()).resolves.toMatch(/11\.00/);
    await ada.page.getByRole('button', { name: 'Change' }).click();
    await ada.page.getByRole('heading', { name: 'Send money' }).waitFor();
    // Nothing was sent: the quote records nothing.
    await nav(ada.page, 'Home');
    await expect(balance(ada.page).textContent()).resolves.toBe('€75.00');
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
    await nav(ada.page, 'Home');
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
    adaSecret = secret;
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
    await signIn(page, operator.email);
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

  it('links a card, tops up with it instead of the sandbox card, and unlinks it after a confirmation', async () => {
    const page = ada.page;
    await nav(page, 'Cards');
    await page.getByText('No card is linked yet.').waitFor();
    await page.getByRole('button', { name: 'Link a card' }).click();
    const linked = page.getByRole('list', { name: 'Linked cards' }).getByRole('listitem');
    await linked.filter({ hasText: 'Visa ending 4242' }).waitFor({ timeout: LIVE_MS });
    await page.getByText('Card linked: Visa ending 4242').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'cards.png') });

    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('link', { name: 'Top up' }).click();
    const card = page.getByLabel('Card', { exact: true });
    await card.locator('option').first().waitFor({ state: 'attached' });
    await expect(card.locator('option').allTextContents()).resolves.toEqual([
      expect.stringContaining('Visa ending 4242'),
    ]);
    expect(await page.getByLabel('Card number').count()).toBe(0);
    await page.getByLabel('Amount (EUR)').fill('10');
    await page.getByRole('button', { name: 'Top up' }).click();
    await balance(page).filter({ hasText: '€70.00' }).waitFor({ timeout: LIVE_MS });

    await nav(page, 'Cards');
    await page.getByRole('button', { name: /^Unlink Visa ending 4242/ }).click();
    // Nothing goes before the confirmation: the card is still listed.
    await expect(linked.count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.getByRole('button', { name: /^Unlink Visa ending 4242/ }).click();
    await page.getByRole('button', { name: 'Yes, unlink' }).click();
    await page.getByText('No card is linked yet.').waitFor({ timeout: LIVE_MS });
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('link', { name: 'Top up' }).click();
    await page.getByLabel('Card number').waitFor();
  });

  it('offers M-Pesa for a KES wallet once the profile has a phone number, and not for EUR', async () => {
    // Ada's wallet is in euros: no M-Pesa, phone number or not.
    expect(await ada.page.getByRole('group', { name: 'Pay with' }).count()).toBe(0);
    expect(await ada.page.getByText('M-Pesa').count()).toBe(0);

    await ada.page.getByRole('link', { name: 'Home' }).click();
    await ada.page.getByRole('link', { name: 'Withdraw' }).click();
    await ada.page.getByLabel('To').locator('option').first().waitFor({ state: 'attached' });
    await expect(ada.page.getByLabel('To').locator('option').allTextContents()).resolves.toEqual([
      'Main account',
    ]);

    const page = await openPage(390);
    wanjiru.page = page;
    await signUp(page, wanjiru.email, 'KES');
    await page.getByRole('link', { name: 'Top up' }).click();
    await page.getByLabel('Amount (KES)').waitFor();
    expect(await page.getByRole('group', { name: 'Pay with' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('textbox', { name: 'Phone number' }).fill('0712 345 678');
    await page.getByRole('button', { name: 'Save number' }).click();
    await page.getByText('Write the number in international form').waitFor();
    await expect(
      page.getByRole('textbox', { name: 'Phone number' }).getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    await page.getByRole('textbox', { name: 'Phone number' }).fill('+254 712 345 678');
    await page.getByRole('button', { name: 'Save number' }).click();
    await page.getByText('Phone number saved.').waitFor();

    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('link', { name: 'Top up' }).click();
    await page.getByRole('radio', { name: 'M-Pesa' }).check();
    await page.getByTestId('mpesa-phone').filter({ hasText: '+254712345678' }).waitFor();
    await page.getByLabel('Amount (KES)').fill('500.50');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByText('M-Pesa moves whole shillings only').waitFor();
    await page.getByLabel('Amount (KES)').fill('500');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page
      .getByTestId('balance-KES')
      .filter({ hasText: /500\.00/ })
      .waitFor({ timeout: LIVE_MS });
  });

  it('withdraws from the KES wallet to M-Pesa, with no bank account linked', async () => {
    const page = wanjiru.page;
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('Code from the e-mail').waitFor();
    const code = [...t.emails]
      .reverse()
      .map((m) => (m.to === wanjiru.email ? codeInMessage(m.text) : undefined))
      .find(Boolean);
    await page.getByLabel('Code from the e-mail').fill(code!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Your e-mail address is verified.').waitFor();
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    await page.getByLabel('First code from the app').fill(await nextTotp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('button', { name: 'I have saved them' }).click();

    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('link', { name: 'Withdraw' }).click();
    await page.getByLabel('To').locator('option').first().waitFor({ state: 'attached' });
    await expect(page.getByLabel('To').locator('option').allTextContents()).resolves.toEqual([
      'M-Pesa (+254712345678)',
    ]);
    // A bank account can still be linked from here, and the form left again.
    await page.getByRole('button', { name: 'Link a bank account' }).click();
    await page.getByRole('heading', { name: 'Link a bank account' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByLabel('Amount (KES)').fill('200');
    await page.getByLabel('Code from your authenticator app').fill(await nextTotp(secret));
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await page
      .getByTestId('balance-KES')
      .filter({ hasText: /300\.00/ })
      .waitFor({ timeout: LIVE_MS });
  });

  it('lets an admin set roles, and explains why they cannot take away their own admin role', async () => {
    const admin = await adminUser(t, ['admin']);
    const adaId = (
      await t
        .http()
        .get('/me')
        .set('Authorization', (await logInAs(ada.email)).auth)
    ).body.id as string;
    const page = await openPage();
    await signIn(page, admin.email);
    await page.getByRole('link', { name: 'Console' }).click();
    const roles = page.getByRole('region', { name: 'Roles' });
    await roles.getByLabel("User's e-mail").fill('nobody-here@example.com');
    await roles.getByRole('button', { name: 'Find' }).click();
    await roles.getByText('No user has this e-mail address.').waitFor();
    // Found by e-mail: the id and the roles the user has now.
    await roles.getByLabel("User's e-mail").fill(ada.email);
    await roles.getByRole('button', { name: 'Find' }).click();
    await roles
      .getByTestId('roles-found')
      .filter({ hasText: `is user ${adaId}` })
      .waitFor();
    await expect(roles.getByLabel('User id').inputValue()).resolves.toBe(adaId);
    await expect(roles.getByLabel('Customer').isChecked()).resolves.toBe(true);
    await expect(roles.getByLabel('Auditor').isChecked()).resolves.toBe(false);
    await roles.getByLabel('Auditor').check();
    await roles.getByRole('button', { name: 'Set roles' }).click();
    await roles
      .getByTestId('roles-result')
      .filter({ hasText: `User ${adaId} now has the roles: customer, auditor.` })
      .waitFor();

    // The admin's own id, taken from their sign-in in the audit stream.
    await page
      .getByRole('button', { name: `Manage the roles of user ${admin.userId}` })
      .first()
      .click();
    await expect(roles.getByLabel('User id').inputValue()).resolves.toBe(admin.userId);
    await roles.getByLabel('Auditor').uncheck();
    await roles.getByRole('button', { name: 'Set roles' }).click();
    await roles.getByText('You cannot take away your own admin role').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-roles.png'), fullPage: false });
  });

  it('shows Google sign-in only when the server has it, and explains a return from Google it cannot finish', async () => {
    const page = await openPage();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The probe has answered once the page settles; this server has no Google configured.
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('link', { name: 'Sign in with Google' }).count()).toBe(0);
    await page.goto(`${base}/sign-in/google?code=4%2F0A&state=forged`);
    await page.getByText('Signing in with Google is not available here.').waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.goto(`${base}/sign-in/google?error=access_denied`);
    await page.getByText('Signing in with Google was cancelled.').waitFor();
  });

  it('signs in with Google on a server that has it: the button, Google, and back to the wallet', async () => {
    const google = new GoogleStandIn();
    const googleBase = await google.start();
    const email = `grace-${Date.now()}@example.com`;
    const code = google.codeFor({ sub: `sub-${Date.now()}`, email, email_verified: true });
    // Google's consent page: the person agrees, and Google sends the browser back.
    const consent = createHttpServer((req, res) => {
      const asked = new URL(req.url ?? '/', 'http://consent');
      const back = new URL(asked.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', asked.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
    });
    await new Promise<void>((resolve) => consent.listen(0, '127.0.0.1', resolve));
    const consentBase = `http://127.0.0.1:${(consent.address() as AddressInfo).port}`;
    const port = await freePort();
    const web = `http://127.0.0.1:${port}`;
    const g = await startLedgerApp(embeddedDatabase(), {
      LEDGER_WEB_DIR: suite.webDir,
      LEDGER_GOOGLE_CLIENT_ID: 'web-client',
      LEDGER_GOOGLE_CLIENT_SECRET: 'web-secret',
      LEDGER_GOOGLE_CALLBACK_URL: `${web}/sign-in/google`,
      LEDGER_GOOGLE_AUTHORIZATION_URL: `${consentBase}/authorize`,
      LEDGER_GOOGLE_TOKEN_URL: `${googleBase}/token`,
      LEDGER_GOOGLE_USERINFO_URL: `${googleBase}/userinfo`,
    });
    try {
      await g.app.listen(port, '127.0.0.1');
      const page = await (await suite.newContext()).newPage();
      await page.goto(`${web}/`);
      await page.getByRole('link', { name: 'Sign in with Google' }).click();
      await page.getByRole('heading', { name: 'Your wallets' }).waitFor({ timeout: LIVE_MS });
      expect(new URL(page.url()).pathname).toBe('/');
      await page.getByRole('link', { name: 'Security' }).click();
      await page.getByText('Your e-mail address is verified.').waitFor();
    } finally {
      await g.close();
      await google.stop();
      await new Promise((resolve) => consent.close(resolve));
    }
  });

  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  async function logInAs(email: string) {
    const login = await t.http().post('/auth/login').send({ email, password: PASSWORD });
    const second = await t
      .http()
      .post('/auth/login/2fa')
      .send({ challengeToken: login.body.challengeToken, code: await nextTotp(adaSecret) });
    if (!second.body.accessToken) throw new Error(`login refused: ${JSON.stringify(second.body)}`);
    return { auth: `Bearer ${second.body.accessToken}` };
  }
});
