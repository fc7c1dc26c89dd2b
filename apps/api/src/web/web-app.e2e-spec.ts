import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFactories } from '@ledger/testing';
import { startLedgerApp, type LedgerTestApp } from '../../../../test/support/ledger-app';

/** The API serving a stand-in build of the web app: the caching and fallback rules. */
describe('the web app beside the API', () => {
  let t: LedgerTestApp;
  let webDir: string;
  const html = { Accept: 'text/html,application/xhtml+xml' };

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'ledger-web-stand-in-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(webDir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(webDir, 'sw.js'), '// worker');
    const [pglite] = databaseFactories();
    if (!pglite) throw new Error('No PGlite database factory');
    t = await startLedgerApp(pglite, { LEDGER_WEB_DIR: webDir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves index.html at / to be revalidated on every load', async () => {
    const res = await t.http().get('/').set(html);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>app</title>');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    // Stripe.js is allowed only with Stripe Elements configured (test/browser/stripe.e2e-spec.ts).
    expect(res.headers['content-security-policy']).not.toContain('stripe.com');
  });

  it('lets browsers keep hashed assets for a year, and revalidate the service worker', async () => {
    const asset = await t.http().get('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const worker = await t.http().get('/sw.js');
    expect(worker.headers['cache-control']).toBe('no-cache');
  });

  it("answers the app's own paths with index.html, and only browser navigations", async () => {
    const page = await t.http().get('/send').set(html);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>app</title>');
    expect((await t.http().get('/send').set('Accept', 'application/json')).status).toBe(404);
    expect((await t.http().get('/assets/missing.js').set(html)).status).toBe(404);
  });

  it("keeps every API path the API's, even for a browser navigation", async () => {
    const wallets = await t.http().get('/wallets').set(html);
    expect(wallets.status).toBe(401);
    expect(wallets.body.error).toBe('access_token_missing');
    expect((await t.http().get('/wallets/not-a-route/at/all').set(html)).status).toBe(404);
    expect((await t.http().get('/health/live').set(html)).status).toBe(200);
    const docs = await t.http().get('/openapi.json').set(html);
    expect(docs.body.openapi).toEqual(expect.any(String));
  });
});
