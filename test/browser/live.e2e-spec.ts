import type { Page, Route } from 'playwright-core';
import { eventually } from '../../libs/jobs/src/job-queue.contract';
import { signUp, type LedgerTestApp, type TestUser } from '../support/ledger-app';
import {
  describeInBrowser,
  firstWalletId,
  LIVE_MS,
  signIn,
  topUpOverHttp,
  useBrowserSuite,
} from './browser';

/**
 * The live stream's two ways of failing, seen from the page: a stream that
 * drops is resumed from the last id it delivered (Last-Event-ID), and a
 * stream that cannot be opened at all leaves the page polling, updated
 * either way without a reload. `page.route` stands between the page and
 * GET /me/events to drop or refuse it.
 */
describeInBrowser('live updates when the stream drops', () => {
  const suite = useBrowserSuite();
  let t: LedgerTestApp;
  let user: TestUser;
  let walletId: string;

  beforeAll(async () => {
    t = suite.t;
    user = await signUp(t, { currency: 'EUR' });
    await t.settle();
    walletId = await firstWalletId(t, user);
  });

  /** A card top-up on the sandbox, waited for; answers the log position of its request. */
  const topUp = (amountMinor: number) => topUpOverHttp(t, user, walletId, amountMinor);

  async function signedIn(onStream: (route: Route) => Promise<void>): Promise<Page> {
    const page = await suite.openPage({
      before: (page) => page.context().route(/\/me\/events/, onStream),
    });
    await signIn(page, user.email);
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
