import { must } from '@ledger/invariant';
import { formatPosition } from '@ledger/event-store';
import { lastCommittedPosition } from '@ledger/testing';
import { ManualClock } from '../identity/identity-test-app';
import {
  enrolTwoFactor,
  linkBankAccount,
  verifyEmail,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';

export { ManualClock };

/** The last committed event as a position token, or "none": compared before and after refused requests. */
export async function logHead(t: LedgerTestApp): Promise<string> {
  const last = await lastCommittedPosition(t.db);
  return last ? formatPosition(last) : 'none';
}

/**
 * The last committed event outside identity's streams. Identity records
 * security events (a failed login, a login) on its own streams by design,
 * including for refused requests; everything else in the log is the ledger's.
 */
export async function ledgerHead(t: LedgerTestApp): Promise<string> {
  const { rows } = await t.db.query<{ commit: string; prepare: string }>(
    `SELECT tx_id::text AS commit, seq::text AS prepare FROM events
     WHERE stream_id NOT LIKE 'identity-%' ORDER BY tx_id DESC, seq DESC LIMIT 1`,
  );
  return rows[0] ? `${rows[0].commit}.${rows[0].prepare}` : 'none';
}

export interface Customer extends TestUser {
  readonly walletId: string;
  readonly destinationId: string;
  /** A fresh second-factor code: advances the clock past the last code's window first. */
  code(): Promise<string>;
}

/**
 * A customer with everything the routes name: a wallet, second factor
 * enrolled, and a payout destination. The clock is the app's, advanced so
 * every code is a fresh one.
 */
export async function customer(
  t: LedgerTestApp,
  user: TestUser,
  clock: ManualClock,
): Promise<Customer> {
  await verifyEmail(t, user);
  await t.settle();
  const wallets = await t.http().get('/wallets').set('Authorization', user.auth);
  const walletId = must((wallets.body.items as Array<{ id: string }>)[0], 'a wallet').id;
  clock.advanceSeconds(30);
  const current = await enrolTwoFactor(t, user, clock);
  // Each call moves to the next window: every request gets a code not used before.
  const code = async () => {
    clock.advanceSeconds(30);
    return current();
  };
  const destination = await linkBankAccount(t, user, await code(), {
    providerRef: 'ba_edges_1',
    label: 'Main',
  });
  if (destination.status !== 201) throw new Error(`Destination failed: ${destination.status}`);
  return { ...user, walletId, destinationId: destination.body.id, code };
}
