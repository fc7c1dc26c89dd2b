import { api } from './api/client';
import type { components } from './api/openapi';

export type Wallet = components['schemas']['WalletView'];

/** The caller's wallets; marks an answer the service worker served from its cache. */
export async function loadWallets(): Promise<{ wallets: Wallet[]; offline: boolean }> {
  const { data, response } = await api.GET('/wallets', { params: { query: { limit: 50 } } });
  if (!data) throw new Error(`wallets: ${response.status}`);
  const page = data as unknown as { items: Wallet[] };
  return { wallets: page.items, offline: response.headers.get('x-served-from') === 'cache' };
}
