import { databaseFactories } from '@ledger/testing';
import { idempotencyScope } from '../apps/api/src/http/idempotency.interceptor';
import { requestFingerprint } from '../apps/api/src/http/request-fingerprint';
import {
  key,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

/**
 * An Idempotency-Key whose request died with its process (SIGKILL, a crash)
 * recovers once its lease passes: the retry runs again and, since the
 * command ids derive from the key, answers with the movement the dead
 * request recorded, without moving money twice.
 */
describe.each(databaseFactories())('Idempotency-Key after a crash on $name', (factory) => {
  let t: LedgerTestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startLedgerApp(factory);
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'EUR' });
    // Sign-up opens the wallet; the list shows it once the read models caught up.
    await t.settle();
    const top = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: (await walletOf(alice)).id, amountMinor: 10_000, currency: 'EUR' })
      .expect(202);
    expect((await finished(alice, top.body.id)).status).toBe('completed');
    await t.settle();
  });
  afterAll(() => t?.close());

  async function walletOf(user: TestUser) {
    const res = await t.http().get('/wallets').set('Authorization', user.auth).expect(200);
    return res.body.items[0] as { id: string; availableMinor: string };
  }

  async function finished(user: TestUser, id: string): Promise<{ status: string }> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await t.http().get(`/movements/${id}`).set('Authorization', user.auth);
      if (res.status === 200 && ['completed', 'failed'].includes(res.body.status)) return res.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Movement ${id} did not finish`);
  }

  const transfer = (idempotencyKey: string, body: Record<string, unknown>) =>
    t
      .http()
      .post('/transfers')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', idempotencyKey)
      .send(body);

  /** The key as the killed process left it: claimed, no outcome; `leaseS` from now (negative: passed). */
  const strand = (idempotencyKey: string, leaseS: number) =>
    t.db.query(
      `UPDATE idempotency_keys
          SET status_code = NULL, response = NULL, completed_at = NULL, claim_token = 'killed',
              locked_until = now() + $2 * interval '1 second'
        WHERE key = $1`,
      [idempotencyKey, leaseS],
    );

  it('answers in progress while the lease lives, then re-runs and answers with the movement that exists', async () => {
    const k = key();
    const body = {
      fromWalletId: (await walletOf(alice)).id,
      toWalletId: (await walletOf(bob)).id,
      amountMinor: '1000',
      currency: 'EUR',
    };
    const first = await transfer(k, body).expect(201);
    expect(first.body.status).toBe('completed');
    expect((await finished(alice, first.body.id)).status).toBe('completed');
    await t.settle();
    const balances = [(await walletOf(alice)).availableMinor, (await walletOf(bob)).availableMinor];
    expect(balances).toEqual(['9000', '1000']);

    await strand(k, 60);
    const busy = await transfer(k, body).expect(409);
    expect(busy.body.error).toBe('idempotency_key_in_progress');
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(50);

    await strand(k, -1);
    const events = await t.eventCount();
    const rerun = await transfer(k, body).expect(201);
    expect(rerun.headers['idempotent-replayed']).toBeUndefined();
    expect(rerun.body).toMatchObject({ id: first.body.id, status: 'completed' });
    expect(await t.eventCount()).toBe(events);

    const replay = await transfer(k, body).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(rerun.body);
    await t.settle();
    expect([(await walletOf(alice)).availableMinor, (await walletOf(bob)).availableMinor]).toEqual(
      balances,
    );
  });

  it('runs a request whose process died before it recorded anything, once', async () => {
    const k = key();
    const body = {
      fromWalletId: (await walletOf(alice)).id,
      toWalletId: (await walletOf(bob)).id,
      amountMinor: '500',
      currency: 'EUR',
    };
    const scope = idempotencyScope({
      user: { userId: alice.userId },
      method: 'POST',
      routeOptions: { url: '/transfers' },
    } as never);
    await t.db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, claim_token, locked_until)
       VALUES ($1, $2, $3, 'killed', now() - interval '1 second')`,
      [scope, k, requestFingerprint({ params: {}, body })],
    );
    const rerun = await transfer(k, body).expect(201);
    expect(rerun.body.status).toBe('completed');
    expect((await finished(alice, rerun.body.id)).status).toBe('completed');
    await t.settle();
    expect((await walletOf(alice)).availableMinor).toBe('8500');
    const replay = await transfer(k, body).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(rerun.body.id);
  });

  it('does not take a stranded key over for another body', async () => {
    const k = key();
    const body = {
      fromWalletId: (await walletOf(alice)).id,
      toWalletId: (await walletOf(bob)).id,
      amountMinor: '1',
      currency: 'EUR',
    };
    await transfer(k, body).expect(201);
    await strand(k, -1);
    const other = await transfer(k, { ...body, amountMinor: '2' }).expect(422);
    expect(other.body.error).toBe('idempotency_key_reused');
  });
});
