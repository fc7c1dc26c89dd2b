import { must } from '@ledger/invariant';
import { databaseFactories } from '@ledger/testing';
import { parkSaga } from '../libs/worker/src/sagas/saga-parking.table';
import {
  adminUser,
  key,
  signUp,
  startLedgerApp,
  staffUser,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

/** The sandbox's amount that is charged and never reported: the top-up stays pending. */
const SILENT_MINOR = 204;

/**
 * What an operator sees of movements that are not moving, over HTTP: a
 * top-up whose payment never reports is listed with the deadline it waits
 * on, a parked saga with its attempts and error; completed ones never are;
 * a customer is refused; pages follow their cursor.
 */
describe.each(databaseFactories())('movements that need an operator, on $name', (factory) => {
  let t: LedgerTestApp;
  let alice: TestUser;
  let auditor: TestUser;
  const silent: string[] = [];
  let completed: string;

  const get = (path: string, user: TestUser) => t.http().get(path).set('Authorization', user.auth);
  const topUp = async (amountMinor: number) => {
    const wallet = (await get('/wallets', alice).expect(200)).body.items[0].id;
    const res = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: wallet, amountMinor, currency: 'EUR' });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };

  beforeAll(async () => {
    t = await startLedgerApp(factory);
    const admin = await adminUser(t);
    auditor = await staffUser(t, admin, ['auditor']);
    alice = await signUp(t, { currency: 'EUR' });
    await t.settle();
    completed = await topUp(1_000);
    for (let i = 0; i < 3; i++) silent.push(await topUp(SILENT_MINOR));
    for (let poll = 0; poll < 200; poll++) {
      if ((await get(`/movements/${completed}`, alice)).body.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await t.settle();
    // The saga driver records each movement's row as it reads the log: wait for the three.
    for (let poll = 0; poll < 400; poll++) {
      const res = await get('/ledger/movements/stuck?olderThanMinutes=0', auditor);
      if (res.body.items?.length === silent.length) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }, 120_000);
  afterAll(async () => t?.close());

  it('lists pending movements with the deadline each waits on, oldest first, never completed ones', async () => {
    const res = await get('/ledger/movements/stuck?olderThanMinutes=0', auditor).expect(200);
    const ids = res.body.items.map((m: { movementId: string }) => m.movementId);
    expect(ids).toEqual(silent);
    expect(ids).not.toContain(completed);
    expect(res.body.items[0]).toMatchObject({
      kind: 'top_up',
      amountMinor: String(SILENT_MINOR),
      currency: 'EUR',
      nextDeadline: { job: 'topup.timeout' },
    });
    expect(res.body.items[0].pendingSeconds).toBeGreaterThanOrEqual(0);
    expect(res.body.items[0].parked).toBeUndefined();
  });

  it('leaves out pending movements younger than the bound', async () => {
    const res = await get('/ledger/movements/stuck', auditor).expect(200);
    expect(res.body.items).toEqual([]);
  });

  it('lists a parked saga whatever its age, with its attempts and error', async () => {
    const hour = () => 3_600_000;
    const stream = must(silent[1], 'a silent saga');
    await parkSaga(t.db, 'sagas', stream, 'Error: provider unreachable', new Date(), hour);
    await parkSaga(t.db, 'sagas', stream, 'Error: provider unreachable', new Date(), hour);
    const res = await get('/ledger/movements/stuck?parked=true', auditor).expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      movementId: silent[1],
      parked: { attempts: 2, lastError: 'Error: provider unreachable' },
    });
  });

  it('pages by cursor without repeating or skipping', async () => {
    const first = await get('/ledger/movements/stuck?olderThanMinutes=0&limit=2', auditor).expect(
      200,
    );
    expect(first.body.items).toHaveLength(2);
    const second = await get(
      `/ledger/movements/stuck?olderThanMinutes=0&limit=2&cursor=${first.body.nextCursor}`,
      auditor,
    ).expect(200);
    expect(second.body.nextCursor).toBeUndefined();
    expect(
      [...first.body.items, ...second.body.items].map((m: { movementId: string }) => m.movementId),
    ).toEqual(silent);
  });

  it('refuses a customer, a forged cursor and a bound out of range', async () => {
    await get('/ledger/movements/stuck', alice).expect(403);
    const forged = await get('/ledger/movements/stuck?cursor=bm90LWEtY3Vyc29y', auditor);
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('invalid_cursor');
    const negative = await get('/ledger/movements/stuck?olderThanMinutes=-1', auditor);
    expect(negative.status).toBe(400);
    expect(negative.body.code).toBe('validation_failed');
  });
});
