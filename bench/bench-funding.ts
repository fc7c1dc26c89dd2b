import { randomUUID } from 'node:crypto';

/**
 * One user with `walletCount` funded EUR wallets on the service at `base`; the
 * bootstrap admin (LEDGER_ADMIN_EMAILS=admin@bench.test) funds them with adjustments.
 */
export async function fundedUser(
  base: string,
  walletCount: number,
): Promise<{ token: string; wallets: string[] }> {
  const call = caller(base);
  const admin = await call('POST', '/auth/signup', {
    email: 'admin@bench.test',
    password: 'bench password 1234',
    currency: 'EUR',
  });
  await call(
    'PUT',
    `/admin/users/${admin.userId}/roles`,
    { roles: ['admin', 'finance'] },
    admin.accessToken,
  );
  const login = await call('POST', '/auth/login', {
    email: 'admin@bench.test',
    password: 'bench password 1234',
  });
  const wallets: string[] = [];
  for (let i = 0; i < walletCount; i++) {
    const wallet = await call('POST', '/wallets', { currency: 'EUR' }, login.accessToken);
    await call(
      'POST',
      `/wallets/${wallet.id}/adjustments`,
      {
        direction: 'credit',
        amountMinor: '100000000',
        currency: 'EUR',
        account: 'suspense',
        reason: 'bench funding',
      },
      login.accessToken,
    );
    wallets.push(wallet.id);
  }
  return { token: login.accessToken, wallets };
}

/** A JSON call to the service with its own Idempotency-Key; anything but 2xx throws. */
function caller(base: string) {
  return async (method: string, path: string, body: unknown, token?: string): Promise<any> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}
