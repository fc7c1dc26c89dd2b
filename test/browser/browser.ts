import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

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
