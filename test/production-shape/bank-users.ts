import { Client } from 'pg';
import { Authenticator, newKey, type LedgerClient } from './bank-client';
import { runCli, sleep } from './service-processes';

/**
 * The people of the bank test, set up over HTTP the way a customer and an
 * operator would. Everything the service asks of an account before it may
 * move money (sign-up, a verified e-mail address, second factor, payout
 * destination) happens in `enrolCustomer`; how staff get their rights
 * happens in `enrolStaff`. Keep those two the only places.
 */
export const PASSWORD = 'correct horse battery staple 42';
export const STAFF_EMAIL = 'bank-operator@ledger.test';

export interface Customer {
  readonly index: number;
  readonly userId: string;
  readonly token: string;
  readonly email: string;
  readonly phone: string;
  readonly currency: 'EUR' | 'USD';
  readonly walletId: string;
  readonly destinationId: string;
  readonly authenticator: Authenticator;
}

const WALLET_POLLS = 200;
const WALLET_POLL_MS = 50;

/** Sign-up with e-mail, phone and currency, 2FA on, one linked bank account. */
export async function enrolCustomer(
  client: LedgerClient,
  index: number,
  currency: 'EUR' | 'USD',
  run: string,
  env: NodeJS.ProcessEnv,
): Promise<Customer> {
  const email = `bank-${run}-${index}@ledger.test`;
  const phone = `+4915${String(900_000_000 + index).padStart(9, '0')}`;
  const signUp = await client.call('POST', '/auth/signup', {
    body: { email, password: PASSWORD, phone, currency },
  });
  expectStatus(signUp, 201, 'sign-up');
  const token = String(signUp.body.accessToken);
  const userId = String(signUp.body.userId);
  await markEmailVerified(env, userId);

  const enrolment = await client.call('POST', '/me/2fa/enrol', { token });
  expectStatus(enrolment, 200, '2FA enrolment');
  const authenticator = new Authenticator(String(enrolment.body.secret));
  const confirm = await client.call('POST', '/me/2fa/confirm', {
    token,
    body: { code: await authenticator.nextCode() },
  });
  expectStatus(confirm, 200, '2FA confirmation');

  const destination = await client.move(
    '/payout-destinations',
    token,
    { type: 'bank_account', providerRef: `ba_bank_${run}_${index}`, label: 'Main' },
    newKey(),
    () => authenticator.nextCode(),
  );
  if (destination === 'stuck') throw new Error('Linking a payout destination stayed in progress');
  expectStatus(destination, 201, 'payout destination');

  return {
    index,
    userId,
    token,
    email,
    phone,
    currency,
    walletId: await signUpWallet(client, token),
    destinationId: String(destination.body.id),
    authenticator,
  };
}

/**
 * An operator who may post adjustments: signed up as anyone, address
 * verified, then made admin and finance with the operator's CLI
 * (`admin:grant`, built into dist/) under the processes' configuration, and
 * logged in again so the token carries the roles.
 */
export async function enrolStaff(client: LedgerClient, env: NodeJS.ProcessEnv): Promise<string> {
  const signUp = await client.call('POST', '/auth/signup', {
    body: { email: STAFF_EMAIL, password: PASSWORD },
  });
  expectStatus(signUp, 201, 'staff sign-up');
  await markEmailVerified(env, String(signUp.body.userId));
  const grant = runCli('dist/libs/identity/src/cli/admin-grant.js', env, GRANT_TIMEOUT_MS, [
    STAFF_EMAIL,
    '--role',
    'admin',
    '--role',
    'finance',
  ]);
  if (grant.status !== 0) throw new Error(`admin:grant exited ${grant.status}: ${grant.output}`);
  const login = await client.call('POST', '/auth/login', {
    body: { email: STAFF_EMAIL, password: PASSWORD },
  });
  expectStatus(login, 200, 'staff login');
  return String(login.body.accessToken);
}

const GRANT_TIMEOUT_MS = 60_000;

/**
 * Marks the address verified as typing back the e-mailed code would. The
 * production-shaped processes send mail only through SMTP, which this test
 * does not run; verification itself is tested end to end in test/identity.
 */
async function markEmailVerified(env: NodeJS.ProcessEnv, userId: string): Promise<void> {
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  try {
    await db.query('UPDATE identity_users SET email_verified_at = now() WHERE id = $1', [userId]);
  } finally {
    await db.end();
  }
}

/** Puts opening money on a wallet: an adjustment against system:adjustments, as finance would. */
export async function fund(
  client: LedgerClient,
  staffToken: string,
  customer: Customer,
  amountMinor: bigint,
): Promise<void> {
  const answer = await client.move(
    `/wallets/${customer.walletId}/adjustments`,
    staffToken,
    {
      direction: 'credit',
      amountMinor: amountMinor.toString(),
      currency: customer.currency,
      account: 'adjustments',
      reason: 'Opening balance for the bank test',
    },
    newKey(),
  );
  if (answer === 'stuck') throw new Error('Funding stayed in progress');
  expectStatus(answer, 201, 'funding adjustment');
}

/** The wallet sign-up opened, once the read models list it (transfers by e-mail or phone find it there). */
async function signUpWallet(client: LedgerClient, token: string): Promise<string> {
  for (let poll = 0; poll < WALLET_POLLS; poll++) {
    const listed = await client.call('GET', '/wallets', { token });
    const items = (listed.body.items ?? []) as Array<{ id: string }>;
    const [first] = items;
    if (first) return first.id;
    await sleep(WALLET_POLL_MS);
  }
  throw new Error('The sign-up wallet never appeared in GET /wallets');
}

function expectStatus(answer: { status: number; body: unknown }, status: number, what: string) {
  if (answer.status !== status)
    throw new Error(
      `${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`,
    );
}
