import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';

/** Where the service keeps its data: the operator CLI must open the same. */
export interface ServiceData {
  readonly databaseUrl: string;
  readonly dataDir: string;
}

const ADMIN_EMAIL = 'admin@bench.test';
const ADMIN_PASSWORD = 'bench password 1234';

/**
 * One user with `walletCount` funded EUR wallets on the service at `base`; an
 * admin made with the operator's CLI funds them with adjustments.
 */
export async function fundedUser(
  base: string,
  walletCount: number,
  data: ServiceData,
): Promise<{ token: string; wallets: string[] }> {
  const call = caller(base);
  const admin = await call('POST', '/auth/signup', {
    email: ADMIN_EMAIL,
    password: ADMIN_PASSWORD,
    currency: 'EUR',
  });
  await grantAdmin(data, admin.userId);
  const login = await call('POST', '/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
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

/**
 * Makes the user admin and finance with the operator's CLI. The bench reads
 * no inbox, so it marks the address verified in the database, as typing back
 * the e-mailed code would.
 */
async function grantAdmin(data: ServiceData, userId: string): Promise<void> {
  const client = new Client({ connectionString: data.databaseUrl });
  await client.connect();
  try {
    await client.query('UPDATE identity_users SET email_verified_at = now() WHERE id = $1', [
      userId,
    ]);
  } finally {
    await client.end();
  }
  const cli = join(__dirname, '../libs/identity/src/cli/admin-grant.js');
  const grant = spawnSync(
    process.execPath,
    [cli, ADMIN_EMAIL, '--role', 'admin', '--role', 'finance'],
    {
      env: { ...process.env, DATABASE_URL: data.databaseUrl, LEDGER_DATA_DIR: data.dataDir },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (grant.status !== 0) throw new Error(`admin:grant exited with ${grant.status}`);
}

/**
 * A JSON call to the service with its own Idempotency-Key; anything but 2xx
 * throws. A kept-alive socket the server closed meanwhile (the CLI above
 * blocks this process for longer than the server's keep-alive timeout) is
 * retried once under the same key, which replays rather than repeats.
 */
function caller(base: string) {
  return async (method: string, path: string, body: unknown, token?: string): Promise<any> => {
    const init = {
      method,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    };
    const response = await fetch(`${base}${path}`, init).catch(() => fetch(`${base}${path}`, init));
    const json = await response.json();
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}
