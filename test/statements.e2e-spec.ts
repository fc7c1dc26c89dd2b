import { databaseFactories } from '@ledger/testing';
import { ManualClock } from './identity/identity-test-app';
import {
  key,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

interface Line {
  movementId: string;
  kind: string;
  status: string;
  amountMinor: string;
  heldMinor: string;
  balanceAfterMinor?: string;
  [field: string]: unknown;
}

/**
 * What a wallet user sees, over HTTP: the statement with running balances
 * after a mix of top-ups, transfers in and out, a failed transfer and a
 * cross-currency transfer; the movement list across wallets with its
 * filters and pages; the CSV month; and that no customer ever sees
 * another's wallet or user id.
 */
describe.each(databaseFactories())('statements and movements over HTTP on $name', (factory) => {
  let t: LedgerTestApp;
  const clock = new ManualClock(Date.now());
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const wallets: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const get = (path: string, user: TestUser) => t.http().get(path).set('Authorization', user.auth);

  async function walletOf(user: TestUser): Promise<string> {
    await t.settle();
    return (await get('/wallets', user).expect(200)).body.items[0].id;
  }

  async function transfer(from: TestUser, to: TestUser, amountMinor: number, extra = {}) {
    return t
      .http()
      .post('/transfers')
      .set('Authorization', from.auth)
      .set('Idempotency-Key', key())
      .send({
        fromWalletId: wallets[from.userId],
        toEmail: to.email,
        amountMinor,
        currency: 'EUR',
        ...extra,
      });
  }

  const rates = process.env.LEDGER_FX_RATES;
  beforeAll(async () => {
    // The rate provider reads the process environment when the module starts.
    process.env.LEDGER_FX_RATES = 'EUR/USD=1.10';
    t = await startLedgerApp(factory, {}, clock);
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'EUR' });
    carol = await signUp(t, { currency: 'USD' });
    for (const u of [alice, bob, carol]) wallets[u.userId] = await walletOf(u);

    const top = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: wallets[alice.userId], amountMinor: 10_000, currency: 'EUR' });
    expect(top.status).toBe(202);
    ids.topUp = top.body.id;
    for (let poll = 0; poll < 200; poll++) {
      if ((await get(`/movements/${ids.topUp}`, alice)).body.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const out = await transfer(alice, bob, 2_500, { description: 'dinner' });
    expect(out.status).toBe(201);
    ids.out = out.body.id;
    const back = await transfer(bob, alice, 1_000);
    expect(back.status).toBe(201);
    ids.back = back.body.id;
    const failed = await transfer(alice, bob, 1_000_000);
    expect([failed.status, failed.body.error]).toEqual([422, 'exceeds_available']);
    const fx = await transfer(alice, carol, 1_000);
    expect([fx.status, fx.body.error]).toEqual([201, undefined]);
    ids.fx = fx.body.id;
    await t.settle();
    // A machine under load takes its time over a dozen requests; the assertions hold either way.
  }, 300_000);
  afterAll(async () => {
    if (rates === undefined) delete process.env.LEDGER_FX_RATES;
    else process.env.LEDGER_FX_RATES = rates;
    await t?.close();
  });

  it('shows one row per movement, newest first, with the balance after each completed row', async () => {
    const res = await get(`/wallets/${wallets[alice.userId]}/statement`, alice).expect(200);
    const rows = res.body.items as Line[];
    expect(res.body).toMatchObject({ walletId: wallets[alice.userId], currency: 'EUR' });
    expect(rows.map((r) => [r.kind, r.status, r.amountMinor, r.balanceAfterMinor])).toEqual([
      ['transfer', 'completed', '-1000', '7500'],
      ['transfer', 'failed', '-1000000', undefined],
      ['transfer', 'completed', '1000', '8500'],
      ['transfer', 'completed', '-2500', '7500'],
      ['top_up', 'completed', '10000', '10000'],
    ]);
    // A failed transfer moved nothing and holds nothing; a reason a person reads.
    expect(rows[1]).toMatchObject({ heldMinor: '0', reason: 'exceeds_available' });
    expect(rows[1]?.reasonText).toMatch(/exceeds the available balance/);
    expect(rows[3]).toMatchObject({
      movementId: ids.out,
      description: 'dinner',
      counterparty: { name: 'Test User', email: expect.stringMatching(/^u\*+@example\.com$/) },
    });
    expect(rows[0]?.fx).toEqual({
      rate: expect.stringMatching(/^1\.10?$/),
      source: expect.any(String),
      debitedMinor: '1000',
      debitedCurrency: 'EUR',
      creditedMinor: '1100',
      creditedCurrency: 'USD',
    });
  });

  it("shows the recipient's side in its own currency, and never a failed transfer it did not receive", async () => {
    const carolRows = (await get(`/wallets/${wallets[carol.userId]}/statement`, carol).expect(200))
      .body.items as Line[];
    expect(
      carolRows.map((r) => [r.movementId, r.amountMinor, r.currency, r.balanceAfterMinor]),
    ).toEqual([[ids.fx, '1100', 'USD', '1100']]);
    const bobRows = (await get(`/wallets/${wallets[bob.userId]}/statement`, bob).expect(200)).body
      .items as Line[];
    expect(bobRows.map((r) => [r.movementId, r.amountMinor, r.balanceAfterMinor])).toEqual([
      [ids.back, '-1000', '1500'],
      [ids.out, '2500', '2500'],
    ]);
  });

  it("lists the caller's movements with filters and cursor pages that never repeat or skip", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await get(`/movements?limit=2${cursor ? `&cursor=${cursor}` : ''}`, alice).expect(
        200,
      );
      seen.push(...res.body.items.map((m: { id: string }) => m.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen[0]).toBe(ids.fx);
    const failed = await get('/movements?status=failed', alice).expect(200);
    expect(failed.body.items).toHaveLength(1);
    expect(failed.body.items[0].legs[0]).toMatchObject({
      status: 'failed',
      amountMinor: '-1000000',
    });
    const topUps = await get('/movements?kind=top_up', alice).expect(200);
    expect(topUps.body.items.map((m: { id: string }) => m.id)).toEqual([ids.topUp]);
    const withBob = await get(`/movements?counterparty=${encodeURIComponent(bob.email)}`, alice);
    expect(withBob.body.items).toHaveLength(3);
    const nobody = await get('/movements?counterparty=nobody%40example.com', alice).expect(200);
    expect(nobody.body.items).toEqual([]);
    const bad = await get('/movements?kind=bonus', alice);
    expect(bad.status).toBe(400);
    const badCursor = await get('/movements?cursor=bm90LWEtY3Vyc29y', alice);
    expect([badCursor.status, badCursor.body.error]).toEqual([400, 'invalid_cursor']);
    const nul = Buffer.from(
      JSON.stringify([`movements:${alice.userId}`, '1', '1', 'x\u0000']),
    ).toString('base64url');
    const nulCursor = await get(`/movements?cursor=${nul}`, alice);
    expect([nulCursor.status, nulCursor.body.error]).toEqual([400, 'invalid_cursor']);
    const nulId = await get('/movements/adjustment-%00', alice);
    expect([nulId.status, nulId.body.error]).toEqual([404, 'movement_not_found']);
  });

  it('formats amounts in a locale when asked, and refuses a locale it cannot format in', async () => {
    const res = await get(
      `/wallets/${wallets[alice.userId]}/statement?format=en-GB&kind=top_up`,
      alice,
    ).expect(200);
    expect(res.body.items[0]).toMatchObject({
      amountFormatted: '€100.00',
      balanceAfterFormatted: '€100.00',
    });
    const bad = await get(`/movements?format=${'x'.repeat(20)}`, alice);
    expect([bad.status, bad.body.error]).toEqual([400, 'invalid_format']);
  });

  it('shows one movement with the rate, both amounts, its legs and its steps', async () => {
    const res = await get(`/movements/${ids.fx}`, alice).expect(200);
    expect(res.body).toMatchObject({
      kind: 'transfer',
      status: 'completed',
      legs: [{ walletId: wallets[alice.userId], direction: 'out', amountMinor: '-1000' }],
      fx: { creditedMinor: '1100', creditedCurrency: 'USD' },
      completedAt: expect.any(String),
    });
    expect(res.body.steps.map((s: { type: string }) => s.type)).toContain('TransferCompleted');
    const topUp = await get(`/movements/${ids.topUp}`, alice).expect(200);
    expect(topUp.body.kind).toBe('top_up');
  });

  it('counts movements, not events, per month and kind, agreeing with the statement', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const res = await get(
      `/movements/wallets/${wallets[alice.userId]}/statistics?from=${month}&to=${month}`,
      alice,
    ).expect(200);
    expect(res.body.months).toEqual([
      {
        month,
        kind: 'top_up',
        currency: 'EUR',
        inMinor: '10000',
        outMinor: '0',
        movements: 1,
        failed: 0,
        pending: 0,
      },
      {
        month,
        kind: 'transfer',
        currency: 'EUR',
        inMinor: '1000',
        outMinor: '3500',
        movements: 3,
        failed: 1,
        pending: 0,
      },
    ]);
    const reversed = await get(
      `/movements/wallets/${wallets[alice.userId]}/statistics?from=2026-12&to=2026-01`,
      alice,
    );
    expect([reversed.status, reversed.body.error]).toEqual([400, 'invalid_date_range']);
  });

  it('answers sign-up with the first wallet and the position to wait for, and lists currencies', async () => {
    const res = await t
      .http()
      .post('/auth/signup')
      .send({
        email: `dana-${Date.now()}@example.com`,
        password: 'correct horse battery staple 42',
        currency: 'JPY',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      walletId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      position: expect.any(String),
    });
    const listed = await t
      .http()
      .get(`/wallets?position=${res.body.position}`)
      .set('Authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
    expect(listed.body.items.map((w: { id: string }) => w.id)).toEqual([res.body.walletId]);
    const currencies = await t.http().get('/currencies').expect(200);
    expect(currencies.body.items).toEqual(
      expect.arrayContaining([
        { code: 'EUR', exponent: 2 },
        { code: 'JPY', exponent: 0 },
        { code: 'KWD', exponent: 3 },
      ]),
    );
  });

  it('downloads a month as CSV', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const res = await get(`/wallets/${wallets[alice.userId]}/statement?month=${month}`, alice)
      .set('Accept', 'text/csv')
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^created_at,completed_at,movement_id,kind,status/);
    // Oldest first, like a paper statement.
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual([
      ids.topUp,
      ids.out,
      ids.back,
      expect.stringMatching(/^transfer-/),
      ids.fx,
    ]);
    const noMonth = await get(`/wallets/${wallets[alice.userId]}/statement`, alice).set(
      'Accept',
      'text/csv',
    );
    expect([noMonth.status, noMonth.body.error]).toEqual([400, 'month_required']);
  });

  it("never shows a customer another's wallet id or user id, and answers another's wallet as a missing one", async () => {
    for (const [user, others] of [
      [alice, [bob, carol]],
      [bob, [alice, carol]],
      [carol, [alice, bob]],
    ] as const) {
      const bodies = JSON.stringify([
        (await get('/movements', user).expect(200)).body,
        (await get(`/wallets/${wallets[user.userId]}/statement`, user).expect(200)).body,
        (await get(`/movements/${ids.fx}`, user)).body,
      ]);
      for (const other of others) {
        expect(bodies).not.toContain(wallets[other.userId]);
        expect(bodies).not.toContain(other.userId);
      }
    }
    const filtered = await get(`/movements?walletId=${wallets[bob.userId]}`, alice).expect(200);
    expect(filtered.body.items).toEqual([]);
    const theirs = await get(`/wallets/${wallets[bob.userId]}/statement`, alice);
    const missing = await get(`/wallets/00000000-0000-4000-8000-000000000000/statement`, alice);
    expect([theirs.status, theirs.body]).toEqual([missing.status, missing.body]);
    expect(theirs.status).toBe(404);
  });
});
