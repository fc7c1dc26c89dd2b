import { randomUUID } from 'node:crypto';
import { formatPosition, parsePosition } from '@ledger/event-store';
import { databaseFactories } from '@ledger/testing';
import {
  adminUser,
  key,
  signUp,
  staffUser,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

describe.each(databaseFactories())('balances as of a point over HTTP on $name', (factory) => {
  let t: LedgerTestApp;
  let finance: TestUser;
  let auditor: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let walletId: string;
  let first: string;
  let between: string;
  let beforeWallet: string;

  const get = (path: string, user: TestUser) => t.http().get(path).set('Authorization', user.auth);
  const credit = async (amountMinor: number) => {
    const res = await t
      .http()
      .post(`/wallets/${walletId}/adjustments`)
      .set('Authorization', finance.auth)
      .set('Idempotency-Key', key())
      .send({
        direction: 'credit',
        amountMinor,
        currency: 'EUR',
        account: 'suspense',
        reason: 'as of',
      });
    expect(res.status).toBe(201);
    return res.body.position as string;
  };

  beforeAll(async () => {
    t = await startLedgerApp(factory);
    const admin = await adminUser(t);
    finance = await staffUser(t, admin, ['finance']);
    auditor = await staffUser(t, admin, ['auditor']);
    await t.settle();
    beforeWallet = formatPosition(await t.store.headPosition());
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'EUR' });
    await t.settle();
    const res = await get('/wallets', alice).expect(200);
    walletId = res.body.items[0].id;
    first = await credit(1_000);
    await t.settle();
    between = new Date().toISOString();
    // Recorded times are kept to the millisecond: the next entry must be recorded after `between`.
    await new Promise((resolve) => setTimeout(resolve, 10));
    await credit(500);
    await t.settle();
  }, 120_000);
  afterAll(() => t?.close());

  it('shows the owner their wallet as of a position and as of a time', async () => {
    const now = await get(`/wallets/${walletId}`, alice).expect(200);
    expect(now.body.postedMinor).toBe('1500');
    const atFirst = await get(`/wallets/${walletId}?asOfPosition=${first}`, alice).expect(200);
    expect(atFirst.body).toEqual({
      id: walletId,
      ownerId: alice.userId,
      currency: 'EUR',
      postedMinor: '1000',
      heldMinor: '0',
      availableMinor: '1000',
      creditsMinor: '1000',
      debitsMinor: '0',
      asOfPosition: first,
    });
    const atTime = await get(`/wallets/${walletId}?asOf=${between}`, alice).expect(200);
    expect(atTime.body).toMatchObject({ postedMinor: '1000', asOf: between });
    expect(parsePosition(atTime.body.asOfPosition)).toBeDefined();
    const later = await get(`/wallets/${walletId}?asOf=${new Date().toISOString()}`, alice);
    expect(later.body.postedMinor).toBe('1500');
  });

  it("answers another user's wallet, and one not yet opened at the point, exactly like a missing one", async () => {
    const missing = await get(`/wallets/${randomUUID()}?asOfPosition=${first}`, bob);
    const others = await get(`/wallets/${walletId}?asOfPosition=${first}`, bob);
    const notYet = await get(`/wallets/${walletId}?asOfPosition=${beforeWallet}`, alice);
    expect(missing.status).toBe(404);
    expect(others.status).toBe(404);
    expect(notYet.status).toBe(404);
    expect(others.body).toEqual(missing.body);
    expect(notYet.body).toEqual(missing.body);
  });

  it('refuses a point it cannot answer with a 400 naming the parameter', async () => {
    const head = parsePosition(formatPosition(await t.store.headPosition()))!;
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const cases: Array<[string, string, RegExp]> = [
      [`asOf=${future}`, 'invalid_as_of', /asOf must not be in the future/],
      ['asOf=yesterday', 'validation_failed', /asOf/],
      ['asOfPosition=abc', 'invalid_as_of_position', /asOfPosition/],
      ['asOfPosition=99999999999999999999.1', 'invalid_as_of_position', /asOfPosition/],
      [`asOfPosition=${head.commit + 1000n}.0`, 'invalid_as_of_position', /past the head/],
      [`asOf=${between}&asOfPosition=${first}`, 'invalid_as_of', /not both/],
      ['as_of=2025-01-01T00:00:00Z', 'validation_failed', /as_of/],
    ];
    for (const [params, error, message] of cases) {
      for (const path of [`/wallets/${walletId}?`, '/ledger/trial-balance?']) {
        const res = await get(`${path}${params}`, path.startsWith('/wallets') ? alice : auditor);
        expect({ params, status: res.status, error: res.body.error }).toEqual({
          params,
          status: 400,
          error,
        });
        expect(res.body.message).toMatch(message);
      }
    }
  });

  it('gives staff the system accounts and the trial balance as of a point', async () => {
    const trial = await get(`/ledger/trial-balance?asOfPosition=${first}`, auditor).expect(200);
    expect(trial.body).toMatchObject({ balanced: true, asOfPosition: first });
    expect(trial.body.lines).toContainEqual({
      currency: 'EUR',
      debitsMinor: '1000',
      creditsMinor: '1000',
      balanced: true,
    });
    const today = await get(`/ledger/trial-balance?position=${first}`, auditor).expect(200);
    expect(today.body.lines).toContainEqual(expect.objectContaining({ debitsMinor: '1500' }));
    const accounts = await get(`/ledger/accounts?kind=system&asOf=${between}`, auditor).expect(200);
    expect(accounts.body.items).toEqual([
      expect.objectContaining({ account: 'system:suspense', currency: 'EUR', debitsMinor: '1000' }),
    ]);
    const empty = await get(`/ledger/accounts?asOfPosition=${beforeWallet}`, auditor).expect(200);
    expect(empty.body.items).toEqual([]);
    expect((await get(`/ledger/trial-balance?asOfPosition=${first}`, alice)).status).toBe(403);
  });

  it('describes asOf and asOfPosition in the OpenAPI document', async () => {
    const res = await t.http().get('/openapi.json').expect(200);
    for (const path of ['/wallets/{id}', '/ledger/accounts', '/ledger/trial-balance']) {
      const names = (res.body.paths[path].get.parameters as Array<{ name: string }>).map(
        (p) => p.name,
      );
      expect({ path, names }).toEqual({
        path,
        names: expect.arrayContaining(['position', 'asOf', 'asOfPosition']),
      });
    }
  });
});
