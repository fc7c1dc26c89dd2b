// Keeps the app shell and the last answers about balances and statements,
// so a person offline can still read them. Money-moving requests are never
// cached or replayed: they go to the network or fail.
const SHELL = 'ledger-shell-v1';
const DATA = 'ledger-data-v1';
const READABLE = [/^\/wallets$/, /^\/wallets\/[^/]+$/, /^\/wallets\/[^/]+\/statement$/];

// The shell is index.html and the hashed files it names, read from the page
// itself: their names change with every build.
self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      const page = await fetch('/', { cache: 'no-cache' });
      const html = await page.clone().text();
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      await cache.put('/', page);
      await cache.addAll(assets);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// Signing out forgets what was kept: it belongs to the person who signed out.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'forget') event.waitUntil(caches.delete(DATA));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Sign-in round trips (Google's redirects, the state cookie) go straight to the network.
  if (url.pathname.startsWith('/auth/')) return;
  if (request.mode === 'navigate' || url.pathname.startsWith('/assets/')) {
    event.respondWith(networkFirst(request, SHELL, request.mode === 'navigate' ? '/' : null));
  } else if (READABLE.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirst(request, DATA, null, true));
  }
});

async function networkFirst(request, cacheName, fallbackKey, ignoreSearch) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackKey ?? request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(fallbackKey ?? request, { ignoreSearch: Boolean(ignoreSearch) });
    if (!kept) throw error;
    // Tell the page this answer is an old one, so it can say it is offline.
    const headers = new Headers(kept.headers);
    headers.set('x-served-from', 'cache');
    return new Response(kept.body, { status: kept.status, headers });
  }
}
