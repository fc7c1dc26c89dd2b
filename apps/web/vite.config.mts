import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web app builds into dist/web, beside the compiled server that serves
 * it. Vite's own transform handles TSX; the automatic runtime means no
 * component imports React just for JSX. `npm run web:dev` proxies the API
 * to a service on :3000.
 */
export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    assetsDir: 'assets',
  },
  server: {
    proxy: Object.fromEntries(
      ['/auth', '/me', '/wallets', '/transfers', '/top-ups', '/withdrawals', '/cards']
        .concat(['/payout-destinations', '/movements', '/ledger', '/audit', '/admin', '/health'])
        .map((path) => [path, 'http://localhost:3000']),
    ),
  },
});
