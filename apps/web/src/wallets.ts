import { useState } from 'react';
import { api } from './api/client';
import type { components } from './api/openapi';
import { useLive } from './live';

export type Wallet = components['schemas']['WalletView'];

/** The caller's wallets; marks an answer the service worker served from its cache. */
export async function loadWallets(): Promise<{ wallets: Wallet[]; offline: boolean }> {
  const { data, response } = await api.GET('/wallets', { params: { query: { limit: 50 } } });
  if (!data) throw new Error(`wallets: ${response.status}`);
  const page = data as unknown as { items: Wallet[] };
  return { wallets: page.items, offline: response.headers.get('x-served-from') === 'cache' };
}

/**
 * The caller's wallets, kept live, and the one a form acts on: the one
 * picked, else the first. A new account's wallet is opened just after
 * sign-up: until it is listed `wallet` is undefined, and the form keeps waiting.
 */
export function useWalletChoice() {
  const wallets = useLive(loadWallets, []).data?.wallets;
  const [walletId, setWalletId] = useState('');
  const wallet = wallets?.find((w) => w.id === walletId) ?? wallets?.[0];
  return { wallets, wallet, choose: setWalletId };
}
