import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { paths } from '../../apps/web/src/api/openapi';

/**
 * A client's first session, written against the client generated from the
 * OpenAPI document: it compiles only while the document describes what
 * these calls send and read (`tsc --strict`), and it runs against a started
 * service (`npm run contract:smoke`). Each step fails loudly with the
 * answer it got.
 */
const baseUrl = process.argv[2] ?? process.env.LEDGER_URL ?? 'http://127.0.0.1:3000';
const api = createClient<paths>({ baseUrl });

async function main(): Promise<void> {
  const email = `smoke-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple 42';
  const signedUp = await api.POST('/auth/signup', {
    body: { email, password, name: 'Smoke Test', currency: 'EUR' },
  });
  const account = check('sign up', signedUp.data, signedUp.error);

  const loggedIn = await api.POST('/auth/login', { body: { email, password } });
  const session = check('log in', loggedIn.data, loggedIn.error);
  if (!('accessToken' in session)) throw new Error('log in asked for a second factor');
  const headers = { Authorization: `Bearer ${session.accessToken}` };

  // Read your own write: the list answers once it shows the wallet sign-up opened.
  const position = 'position' in account ? account.position : undefined;
  const wallets = await api.GET('/wallets', {
    params: { query: { limit: 10, ...(position && { position }) } },
    headers,
  });
  const wallet = check('list wallets', wallets.data, wallets.error).items[0];
  if (!wallet) throw new Error('list wallets: sign-up opened no wallet');

  const topUp = await api.POST('/top-ups', {
    params: { header: { 'Idempotency-Key': randomUUID() } },
    body: { walletId: wallet.id, amountMinor: '5000', currency: wallet.currency },
    headers,
  });
  const started = check('top up', topUp.data, topUp.error);
  await until('top-up completes', async () => {
    const m = await api.GET('/movements/{id}', { params: { path: { id: started.id } }, headers });
    return m.data?.status === 'completed';
  });

  const other = await api.POST('/wallets', {
    params: { header: { 'Idempotency-Key': randomUUID() } },
    body: { currency: wallet.currency },
    headers,
  });
  const target = check('open a second wallet', other.data, other.error);

  const transfer = await api.POST('/transfers', {
    params: { header: { 'Idempotency-Key': randomUUID() } },
    body: {
      fromWalletId: wallet.id,
      toWalletId: target.id,
      amountMinor: '1250',
      currency: wallet.currency,
    },
    headers,
  });
  const moved = check('transfer', transfer.data, transfer.error);

  const movement = await api.GET('/movements/{id}', {
    params: { path: { id: moved.id } },
    headers,
  });
  const read = check('read the movement', movement.data, movement.error);
  console.log(`Contract smoke passed: transfer ${read.id} is ${read.status}`);
}

/** The answer's data, or a failure naming the step and the problem the service answered. */
function check<T>(step: string, data: T | undefined, error: unknown): T {
  if (data === undefined) throw new Error(`${step} failed: ${JSON.stringify(error)}`);
  return data;
}

/** Polls a bounded number of times: a movement that never finishes fails the smoke test. */
async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within 10 s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
