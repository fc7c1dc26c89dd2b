import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { JOB_QUEUE, type JobQueue } from '@ledger/jobs';
import { PAYMENT_GATEWAY, SandboxGateway } from '@ledger/payments';
import { NOTIFICATIONS_QUEUE } from '../../libs/worker/src/notifications/movement-notifications';
import { eventually } from '../../libs/jobs/src/job-queue.contract';
import {
  adminUser,
  signUp,
  staffUser,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';
import {
  describeInBrowser,
  firstWalletId,
  LIVE_MS,
  SCREENSHOTS,
  signIn,
  topUpOverHttp,
  useBrowserSuite,
} from './browser';

/**
 * The operator console's finance and operations panels in Chromium, against
 * the whole service on the embedded default: an admin retries a dead-letter
 * job, finance reconciles this month and closes the last one, and an
 * adjustment above the four-eyes threshold is decided by a second finance
 * user after the requester is refused.
 */
describeInBrowser('the operator console in a browser', () => {
  const suite = useBrowserSuite({ env: () => ({ FINANCE_APPROVAL_THRESHOLD_MINOR: '1000' }) });
  let t: LedgerTestApp;
  let admin: TestUser;
  let finance: TestUser;
  let second: TestUser;
  let customer: TestUser;
  let walletId: string;
  let financePage: Page;

  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
    .toISOString()
    .slice(0, 7);
  const thisMonth = now.toISOString().slice(0, 7);

  beforeAll(async () => {
    t = suite.t;
    admin = await adminUser(t);
    finance = await staffUser(t, admin, ['finance']);
    second = await staffUser(t, admin, ['finance']);
    customer = await signUp(t, { currency: 'EUR' });
    await t.settle();
    walletId = await firstWalletId(t, customer);
  });

  async function openConsole(user: TestUser): Promise<Page> {
    const page = await suite.openPage();
    await signIn(page, user.email);
    await page.getByRole('link', { name: 'Console' }).click();
    await page.getByRole('heading', { name: 'Operator console' }).waitFor();
    return page;
  }

  /** A card top-up on the sandbox, waited for until it completed: one matched item. */
  async function topUp(amountMinor: number): Promise<void> {
    await topUpOverHttp(t, customer, walletId, amountMinor);
  }

  it('shows an admin a dead-letter job and retries it with a reason, saying what happened', async () => {
    // A notification job the worker refuses for good (no such job name).
    const queue = t.app.get<JobQueue>(JOB_QUEUE);
    const id = `console-${randomBytes(4).toString('hex')}:notify`;
    await queue.enqueue(NOTIFICATIONS_QUEUE, 'movement.unknown', { movement: id }, { jobId: id });
    await eventually(async () => (await queue.state(NOTIFICATIONS_QUEUE, id)) === 'failed');

    const page = await openConsole(admin);
    const panel = page.getByRole('region', { name: 'Dead-letter jobs' });
    await panel.getByText('For admins.').waitFor();
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await panel.getByRole('button', { name: `Show dead-letter job ${id}` }).click();
    const detail = panel.getByTestId('dead-letter');
    await detail
      .getByText(/Unknown notification job/)
      .first()
      .waitFor();
    await expect(detail.locator('pre').textContent()).resolves.toContain(id);

    // No reason: refused in the form, nothing sent.
    await detail.getByRole('button', { name: 'Retry the job' }).click();
    await detail.getByText('Say why the job is retried: it is kept in the audit trail.').waitFor();
    await detail.getByLabel('Reason for the retry').fill('Template fixed, sending again');
    await detail.getByRole('button', { name: 'Retry the job' }).click();
    await panel
      .getByText(`Job ${id} is back in the notifications queue with its attempts reset.`)
      .waitFor({ timeout: LIVE_MS });
    const audit = await t
      .http()
      .get('/audit/security-events?type=DeadLetterRetried')
      .set('Authorization', admin.auth)
      .expect(200);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        userId: admin.userId,
        data: expect.objectContaining({ jobId: id, reason: 'Template fixed, sending again' }),
      }),
    );
  });

  it('lets finance reconcile this month: the counts, the clearing line and the CSV', async () => {
    await topUp(700);
    financePage = await openConsole(finance);
    const panel = financePage.getByRole('region', { name: 'Reconciliation' });
    await expect(panel.getByLabel('From (inclusive)').inputValue()).resolves.toBe(
      `${thisMonth}-01`,
    );
    await panel.getByRole('button', { name: 'Run the report' }).click();
    const report = panel.getByTestId('reconciliation');
    await report.waitFor({ timeout: LIVE_MS });
    await expect(report.getByTestId('matched').textContent()).resolves.toBe('1');
    await expect(report.getByTestId('missing').textContent()).resolves.toBe('0');
    await expect(report.getByTestId('mismatched').textContent()).resolves.toBe('0');
    const line = report.getByRole('table', { name: 'Clearing lines' }).getByRole('row', {
      name: /card_clearing EUR/,
    });
    await expect(line.getByRole('cell').nth(2).textContent()).resolves.toBe('€7.00');
    await expect(line.getByRole('cell').last().textContent()).resolves.toBe('€0.00');

    const [download] = await Promise.all([
      financePage.waitForEvent('download'),
      panel.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(
      `reconciliation-${thisMonth}-01-${await panel.getByLabel('To (exclusive)').inputValue()}.csv`,
    );
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\n').filter((r) => r.startsWith('clearing,'))).toHaveLength(1);

    await panel.getByRole('button', { name: 'Record the breaks' }).click();
    await panel.getByText('No breaks found: nothing to record.').waitFor({ timeout: LIVE_MS });
    await financePage
      .getByRole('region', { name: 'Reconciliation breaks' })
      .getByText('No open breaks.')
      .waitFor();
  });

  it('refuses to close a month that has not ended, then closes the last one after a confirmation and shows its seal', async () => {
    const panel = financePage.getByRole('region', { name: 'Period close' });
    await expect(panel.getByLabel('Month (YYYY-MM)').inputValue()).resolves.toBe(lastMonth);
    await panel.getByText('No month has been closed yet.').waitFor();

    await panel.getByLabel('Month (YYYY-MM)').fill(thisMonth);
    await panel.getByLabel('Reason for closing').fill('Too early');
    await panel.getByRole('button', { name: 'Close the month' }).click();
    await panel.getByRole('button', { name: `Yes, close ${thisMonth}` }).click();
    await panel
      .getByText('This month has not ended yet: a month can be closed only after its last day.')
      .waitFor();

    await panel.getByLabel('Month (YYYY-MM)').fill(lastMonth);
    await panel.getByLabel('Reason for closing').fill('Month end, reconciliation clean');
    await panel.getByRole('button', { name: 'Close the month' }).click();
    // Nothing happens before the confirmation; Cancel leaves the month open.
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await panel.getByText('No month has been closed yet.').waitFor();
    await panel.getByRole('button', { name: 'Close the month' }).click();
    await panel.getByRole('button', { name: `Yes, close ${lastMonth}` }).click();
    const seal = panel.getByTestId('seal');
    await seal.getByText(`${lastMonth} is closed.`, { exact: false }).waitFor({ timeout: LIVE_MS });
    const stored = await t
      .http()
      .get(`/finance/periods/${lastMonth}`)
      .set('Authorization', finance.auth)
      .expect(200);
    await seal.getByText(stored.body.signature).waitFor();
    await seal.getByText(stored.body.trialBalanceHash).waitFor();
    await panel
      .getByRole('table', { name: 'Closed months' })
      .getByRole('row', { name: new RegExp(`${lastMonth}.*Month end, reconciliation clean`) })
      .waitFor();
    await financePage.screenshot({
      path: join(SCREENSHOTS, 'console-finance.png'),
      fullPage: true,
    });
  });

  it('keeps an adjustment above the threshold from its requester, and a second finance user approves it', async () => {
    const before = await t.http().get(`/wallets/${walletId}`).set('Authorization', customer.auth);
    let panel = financePage.getByRole('region', { name: 'Adjustments' });
    await panel.getByRole('button', { name: 'Ask for an adjustment or a reversal…' }).click();
    const ask = panel.getByRole('form', { name: 'Ask for an adjustment' });
    await ask.getByLabel('Wallet id').fill(walletId);
    await ask.getByLabel('Amount').fill('50');
    await ask.getByRole('button', { name: 'Ask for it' }).click();
    await ask.getByText('Say why, in a few words.').waitFor();
    await ask.getByLabel('Reason').fill('Goodwill credit after an outage');
    await ask.getByRole('button', { name: 'Ask for it' }).click();
    await panel
      .getByText(
        'The €50.00 adjustment awaits approval: a finance user other than you has to approve it under Adjustments.',
      )
      .waitFor({ timeout: LIVE_MS });

    await financePage.reload();
    panel = financePage.getByRole('region', { name: 'Adjustments' });
    let form = panel.getByRole('form', { name: 'Decide the €50.00 adjustment' });
    await form.getByText('You asked for this one: another finance user has to decide it.').waitFor({
      timeout: LIVE_MS,
    });
    await form.getByLabel('Reason for the decision').fill('My own');
    await form.getByRole('button', { name: 'Approve' }).click();
    await form
      .getByText(
        'You asked for this adjustment, so you cannot decide it: another finance user has to.',
      )
      .waitFor();

    const page = await openConsole(second);
    panel = page.getByRole('region', { name: 'Adjustments' });
    form = panel.getByRole('form', { name: 'Decide the €50.00 adjustment' });
    await form.getByRole('button', { name: 'Approve' }).click();
    await form.getByText('Give a reason for the decision.').waitFor();
    await form.getByLabel('Reason for the decision').fill('Checked against the outage report');
    await form.getByRole('button', { name: 'Approve' }).click();
    await panel
      .getByText('The €50.00 adjustment is approved and posted.')
      .waitFor({ timeout: LIVE_MS });
    await panel.getByText('No adjustments await approval.').waitFor();
    await t.settle();
    const after = await t.http().get(`/wallets/${walletId}`).set('Authorization', customer.auth);
    expect(BigInt(after.body.postedMinor)).toBe(BigInt(before.body.postedMinor) + 5_000n);
  });

  it('resolves a recorded break with an adjustment from the breaks panel', async () => {
    // The provider reports a charge the ledger never recorded: one break.
    t.app.get<SandboxGateway>(PAYMENT_GATEWAY).report.plant({
      type: 'charge',
      objectId: 'pi_planted_in_the_browser_test',
      amountMinor: 555n,
      currency: 'EUR',
      occurredAt: new Date(),
      status: 'succeeded',
    });
    await financePage.reload();
    const reconciliation = financePage.getByRole('region', { name: 'Reconciliation' });
    await reconciliation.getByRole('button', { name: 'Record the breaks' }).click();
    await reconciliation
      .getByText(/\d+ break\(s\) recorded for finance to work through\./)
      .waitFor({ timeout: LIVE_MS });
    const breaks = financePage.getByRole('region', { name: 'Reconciliation breaks' });
    const row = breaks.getByRole('listitem').filter({ hasText: 'pi_planted_in_the_browser_test' });
    await row.waitFor({ timeout: LIVE_MS });
    await row.getByRole('button', { name: 'Resolve with an adjustment…' }).click();
    const form = row.getByRole('form', { name: /^Resolve break / });
    await form.getByLabel('Wallet id').fill(walletId);
    await form.getByLabel('Amount').fill('5.55');
    await form.getByLabel('Other side').selectOption('card_clearing');
    await form.getByLabel('Reason').fill('Charge the ledger missed, credited by hand');
    await form.getByRole('button', { name: 'Resolve with this adjustment' }).click();
    // Below the four-eyes threshold: posted at once.
    await breaks
      .getByText('The €5.55 adjustment is posted and the break resolved.')
      .waitFor({ timeout: LIVE_MS });
    await breaks.getByLabel('Show breaks that are').selectOption('resolved');
    await breaks
      .getByRole('listitem')
      .filter({ hasText: 'pi_planted_in_the_browser_test' })
      .waitFor({ timeout: LIVE_MS });
  });
});
