import { must } from '@ledger/invariant';
import type { Server } from 'node:http';
import { databaseFactories } from '@ledger/testing';
import { ManualClock } from './identity/identity-test-app';
import {
  enrolTwoFactor,
  key,
  linkBankAccount,
  signUp,
  verifyEmail,
  type TestUser,
} from './support/ledger-app';
import { startApiAndWorkerApart, type SplitLedger } from './support/split-ledger';
import { openEvents } from './support/sse-client';

function redisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === 'true')
    throw new Error('CI=true but REDIS_URL is not set: the BullMQ legs are required in CI');
  return url || undefined;
}

const legs = databaseFactories().flatMap((factory) => [
  { name: `${factory.name}, jobs in SQL`, factory, redisUrl: undefined },
  ...(redisUrl()
    ? [{ name: `${factory.name}, jobs on Redis`, factory, redisUrl: redisUrl() }]
    : []),
]);

/**
 * The shape `docker-compose.yml` ships: the API and the worker as two
 * applications, each with its own in-memory sandbox gateway, sharing the
 * database. The API creates the card payment on its sandbox and the worker
 * pays out on its own, so each outcome must be recorded by the process that
 * made the call, not by a subscription only the other one has.
 */
describe.each(legs)('API and worker apart on $name', ({ factory, redisUrl }) => {
  let t: SplitLedger;
  const clock = new ManualClock(Date.now());
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startApiAndWorkerApart(factory, { clock, redisUrl });
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'EUR' });
    await t.settle();
  });
  afterAll(() => t?.close());

  const walletOf = async (user: TestUser) => {
    const res = await t.http().get('/wallets').set('Authorization', user.auth).expect(200);
    return must((res.body.items as Array<{ id: string; availableMinor: string }>)[0], 'a wallet');
  };

  /** Polls until the movement is terminal; a movement left pending fails the test by name. */
  async function finished(user: TestUser, id: string): Promise<string> {
    let status = 'unknown';
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await t.http().get(`/movements/${id}`).set('Authorization', user.auth);
      status = res.body.status;
      if (res.status === 200 && (status === 'completed' || status === 'failed')) return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return `still ${status}`;
  }

  it('completes a card top-up paid on the API process', async () => {
    const wallet = await walletOf(alice);
    const res = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: wallet.id, amountMinor: 10_000, currency: 'EUR' });
    expect(res.status).toBe(202);
    expect(await finished(alice, res.body.id)).toBe('completed');
    await t.settle();
    expect((await walletOf(alice)).availableMinor).toBe('10000');
  });

  it('completes a transfer', async () => {
    const res = await t
      .http()
      .post('/transfers')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({
        fromWalletId: (await walletOf(alice)).id,
        toEmail: bob.email,
        amountMinor: '2500',
        currency: 'EUR',
      });
    // The API process runs the transfer's steps itself: final when it answers.
    expect([res.status, res.body]).toMatchObject([201, { status: 'completed' }]);
    expect(await finished(alice, res.body.id)).toBe('completed');
    await t.settle();
    expect((await walletOf(alice)).availableMinor).toBe('7500');
    expect((await walletOf(bob)).availableMinor).toBe('2500');
  });

  it('completes a withdrawal paid out on the worker process', async () => {
    await verifyEmail(t, alice);
    const code = await enrolTwoFactor(t, alice, clock);
    clock.advanceSeconds(30);
    const destination = await linkBankAccount(t, alice, await code());
    expect(destination.status).toBe(201);
    clock.advanceSeconds(30);
    const res = await t
      .http()
      .post('/withdrawals')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .set('X-2FA-Code', await code())
      .send({
        walletId: (await walletOf(alice)).id,
        amountMinor: 1500,
        currency: 'EUR',
        destinationId: destination.body.id,
      });
    expect(res.status).toBe(202);
    expect(await finished(alice, res.body.id)).toBe('completed');
    await t.settle();
    expect((await walletOf(alice)).availableMinor).toBe('6000');
  });

  it('streams live updates from the API while the worker projects them', async () => {
    const live = await openEvents(t.app.getHttpServer() as Server, '/me/events', bob.auth);
    try {
      expect(live.status).toBe(200);
      const res = await t
        .http()
        .post('/transfers')
        .set('Authorization', alice.auth)
        .set('Idempotency-Key', key())
        .send({
          fromWalletId: (await walletOf(alice)).id,
          toEmail: bob.email,
          amountMinor: '100',
          currency: 'EUR',
        });
      expect(res.status).toBe(201);
      const bobWallet = (await walletOf(bob)).id;
      await live.waitFor(
        (e) =>
          e.event === 'movement' &&
          e.data.movementId === res.body.id &&
          e.data.status === 'completed',
      );
      await live.waitFor(
        (e) =>
          e.event === 'balance' &&
          e.data.walletId === bobWallet &&
          e.data.availableMinor === '2600',
      );
    } finally {
      live.close();
    }
  });
});
