import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Clock } from '@ledger/identity';
import { must } from '@ledger/invariant';
import { databaseFactories, type DatabaseFactory } from '@ledger/testing';
import { eventually } from '../../libs/jobs/src/job-queue.contract';
import {
  key,
  PASSWORD,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Whether the browser tests can run here. Without Chromium they are skipped
 * and say so, except in CI (CI=true), where a missing browser is a failure:
 * .ci/run installs it, so its absence means the pipeline is broken.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`Browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  }
  console.warn(
    `Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );
  return false;
}

/** Flags for a quiet, reproducible headless run: no GPU, no sandbox (containers), no calls home. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Playwright gives each launch a fresh, temporary user-data-dir of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** Builds the web app as `npm run build` does, into a directory of the test's own. */
export function buildWebApp(): string {
  const root = resolve(__dirname, '../..');
  const outDir = mkdtempSync(join(tmpdir(), 'ledger-web-'));
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(root, 'apps/web/vite.config.mts'),
      '--outDir',
      outDir,
      '--emptyOutDir',
      // Each test file builds into a directory of its own; Vite's lock would
      // refuse the second of two files building at once (two jest workers).
      '--bypass-lock',
      '--logLevel',
      'error',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  return outDir;
}

/** Screenshots taken on the way land beside the docs that show them. */
export const SCREENSHOTS = resolve(__dirname, '../../docs/screenshots');

/** How long a page may take to show what arrives by itself (the live stream, a settled movement). */
export const LIVE_MS = 15_000;

/** PGlite, always the first factory: the embedded default `npm start` runs. */
export const embeddedDatabase = (): DatabaseFactory => databaseFactories()[0];

/**
 * A describe block for a browser spec: skipped, and saying why, where there
 * is no Chromium; with room for a browser's slower steps.
 */
export function describeInBrowser(name: string, body: () => void): void {
  (chromiumAvailable() ? describe : describe.skip)(name, () => {
    jest.setTimeout(120_000);
    body();
  });
}

export interface BrowserSuiteOptions {
  /**
   * The service's extra environment, read when the suite starts so that it
   * can name servers a hook declared before the suite started.
   */
  env?: () => Record<string, string>;
  /** The service's clock, for second factors checked against a clock the test moves. */
  clock?: Clock;
}

export interface PageOptions {
  /** The viewport's width: 390 is a phone's. */
  width?: number;
  /** Runs after the page exists and before it loads the app: routes and listeners go here. */
  before?: (page: Page) => Promise<unknown> | void;
}

/** What a browser spec drives: the service serving a fresh build of the web app, and Chromium. */
export interface BrowserSuite {
  readonly t: LedgerTestApp;
  /** The service's address, such as http://127.0.0.1:41234. */
  readonly base: string;
  readonly browser: Browser;
  /** The built web app, for a second service a test starts itself. */
  readonly webDir: string;
  /** A fresh context, as a person's own browser profile; closed with the suite. */
  newContext(options?: { width?: number }): Promise<BrowserContext>;
  /** A page in a fresh context, opened on the app's first page. */
  openPage(options?: PageOptions): Promise<Page>;
}

/**
 * Starts, before the spec's tests, the whole service on the embedded default
 * serving a build of the web app, and Chromium; closes them after. Hooks the
 * spec declares after this call run after the suite started and, in
 * afterAll, after it closed.
 */
export function useBrowserSuite(options: BrowserSuiteOptions = {}): BrowserSuite {
  let started: { t: LedgerTestApp; base: string; browser: Browser; webDir: string } | undefined;
  const contexts: BrowserContext[] = [];
  let webDir: string | undefined;
  let t: LedgerTestApp | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const env = options.env?.() ?? {};
    webDir = buildWebApp();
    t = await startLedgerApp(embeddedDatabase(), { ...env, LEDGER_WEB_DIR: webDir }, options.clock);
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
    started = { t, base, browser, webDir };
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  const suite = () => must(started, 'the browser suite has started');
  async function newContext({ width = 1100 }: { width?: number } = {}): Promise<BrowserContext> {
    const context = await suite().browser.newContext({
      locale: 'en-GB',
      viewport: { width, height: 800 },
      // The app's offline mode is under test: Playwright's default, said so
      // that it stays.
      serviceWorkers: 'allow',
    });
    contexts.push(context);
    return context;
  }

  return {
    get t() {
      return suite().t;
    },
    get base() {
      return suite().base;
    },
    get browser() {
      return suite().browser;
    },
    get webDir() {
      return suite().webDir;
    },
    newContext,
    async openPage({ width, before }: PageOptions = {}) {
      const page = await (await newContext({ width })).newPage();
      await before?.(page);
      await page.goto(suite().base + '/');
      return page;
    },
  };
}

/** Signs in on the sign-in page, as a person types it; what comes next is the caller's to wait for. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Creates an account on the sign-in page and waits for its wallets. */
export async function signUpInPage(page: Page, email: string, currency = 'EUR'): Promise<void> {
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Currency of your first wallet').fill(currency);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Your wallets' }).waitFor();
}

/** Follows a link of the main navigation (not one of the same name elsewhere on the page). */
export function nav(page: Page, name: string): Promise<void> {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

/** The balance Home shows for the wallet in `currency`. */
export const balance = (page: Page, currency = 'EUR') => page.getByTestId(`balance-${currency}`);

/** The user's first wallet, as GET /wallets lists it. */
export async function firstWalletId(t: LedgerTestApp, user: TestUser): Promise<string> {
  const wallets = await t.http().get('/wallets').set('Authorization', user.auth).expect(200);
  return must(wallets.body.items[0], 'a wallet of the new user').id as string;
}

/** A card top-up on the sandbox, waited for until it completed; answers the log position of its request. */
export async function topUpOverHttp(
  t: LedgerTestApp,
  user: TestUser,
  walletId: string,
  amountMinor: number,
): Promise<string> {
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
