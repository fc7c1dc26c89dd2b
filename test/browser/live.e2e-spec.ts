import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { databaseFactories } from '@ledger/testing';
import { eventually } from '../../libs/jobs/src/job-queue.contract';
import {
  key,
  PASSWORD,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';
import { buildWebApp, chromiumAvailable, launchChromium } from './browser';

const LIVE_MS = 15_000;

/**
 * The live stream's two ways of failing, seen from the page: a stream that
 * drops is resumed from the last id it delivered (Last-Event-ID), and a
 * stream that cannot be opened at all leaves the page polling, updated
 * either way without a reload. `page.route` stands between the page and
 * GET /me/events to drop or refuse it.
 */
(chromiumAvailable() ? describe : describe.skip)('live updates when the stream drops', () => {
  jest.setTimeout(120_000);
  let t: LedgerTestApp;
  let webDir: string;
  let browser: Browser;
  let base: string;
  let user: TestUser;
  let walletId: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    webDir = buildWebApp();
    const [pglite] = databaseFactories();
    if (!pglite) throw new Error('No PGlite database factory');
    t = await startLedgerApp(pglite, { LEDGER_WEB_DIR: webDir });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    user = await signUp(t, { currency: 'EUR' });
    await t.settle();
    const wallets = await t.http().get('/wallets').set('Authorization', user.auth).expect(200);
    walletId = wallets.body.items[0].id;
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  /** A card top-up on the sandbox, waited for; answers the log position of its request. */
  async function topUp(amountMinor: number): Promise<string> {
    const res = await t
      .http()
      .post('/top-ups')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', key())
      .send({ walletId, amountMinor, currency: 'EUR' });
    if (res.status !== 202)
      throw new Error(`Top-up refused: ${res.status} ${JSON.stringify(res.body)}`);
    await eventually(async () => {
      const movement = await t
        .http()
        .get(`/movements/${res.body.id}`)
        .set('Authorization', user.auth);
      return movement.body.status === 'completed';
    });
    return res.body.position as string;
  }

  async function signedIn(onStream: (route: Route) => Promise<void>): Promise<Page> {
    const context = await browser.newContext({
      locale: 'en-GB',
      viewport: { width: 1100, height: 800 },
    });
    contexts.push(context);
    await context.route(/\/me\/events/, onStream);
    const page = await context.newPage();
    await page.goto(base + '/');
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your wallets' }).waitFor();
    return page;
  }

  it('resumes a dropped stream from the last id it delivered, and stays live', async () => {
    const delivered = await topUp(1_000);
    const resumedWith: Array<string | undefined> = [];
    let opened = 0;
    const page = await signedIn(async (route) => {
      if (++opened === 1)
        // One frame, then the connection ends: a drop.
        return route.fulfill({
          status: 200,
          headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
          body: `: open\n\nid: ${delivered}\nevent: reset\ndata: {}\n\n`,
        });
      resumedWith.push(route.request().headers()['last-event-id']);
      return route.continue();
    });
    await page
      .getByTestId('balance-EUR')
      .filter({ hasText: '€10.00' })
      .waitFor({ timeout: LIVE_MS });
    await eventually(async () => resumedWith.length > 0);
    expect(resumedWith[0]).toBe(delivered);

    // The resumed stream is the service's own: the next top-up arrives on it.
    await topUp(600);
    await page
      .getByTestId('balance-EUR')
      .filter({ hasText: '€16.00' })
      .waitFor({ timeout: LIVE_MS });
  });

  it('falls back to polling when the stream cannot be opened', async () => {
    let refused = 0;
    const page = await signedIn(async (route) => {
      refused++;
      return route.fulfill({
        status: 404,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }),
      });
    });
    await page
      .getByTestId('balance-EUR')
      .filter({ hasText: '€16.00' })
      .waitFor({ timeout: LIVE_MS });
    const reads: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/wallets') reads.push(r.url());
    });
    await topUp(300);
    await page
      .getByTestId('balance-EUR')
      .filter({ hasText: '€19.00' })
      .waitFor({ timeout: LIVE_MS });
    expect(refused).toBeGreaterThan(0);
    // Without a stream, the page re-read the wallets by itself.
    expect(reads.length).toBeGreaterThan(0);
  });
});
