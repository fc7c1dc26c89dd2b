/* eslint-disable max-lines -- reconciliation, four eyes and period close over one running service
   and one ledger (starting the service takes seconds per database). */
import { must } from '@ledger/invariant';
import { PAYMENT_GATEWAY, type SandboxGateway } from '@ledger/payments';
import { publicKeyFromBase64 } from '@ledger/audit';
import { sealValid, type PeriodSeal } from '@ledger/finance';
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
import {
  responseSchema,
  schemaViolations,
  type OpenApiDocument,
} from './support/openapi-conformance';

/** Every operation under /finance. */
const FINANCE_OPERATIONS = [
  ['get', '/finance/reconciliation'],
  ['post', '/finance/reconciliation'],
  ['get', '/finance/breaks'],
  ['post', '/finance/breaks/{id}/explain'],
  ['post', '/finance/breaks/{id}/resolve'],
  ['get', '/finance/adjustments'],
  ['post', '/finance/adjustments/{id}/approve'],
  ['post', '/finance/adjustments/{id}/reject'],
  ['get', '/finance/periods'],
  ['get', '/finance/periods/{period}'],
  ['post', '/finance/periods/{period}/close'],
] as const;

/**
 * Finance over HTTP: a reconciliation with a planted difference on each of
 * its three sides, breaks explained and resolved, a month closed and sealed,
 * adjustments and reversals under four eyes, and the audit trail of it all.
 */
describe.each(databaseFactories())('finance on $name', (factory) => {
  let t: LedgerTestApp;
  let sandbox: SandboxGateway;
  let customer: TestUser;
  let walletId: string;
  let finance: TestUser;
  let second: TestUser;
  let auditor: TestUser;
  let doc: OpenApiDocument;
  const started = new Date();

  beforeAll(async () => {
    t = await startLedgerApp(factory, { FINANCE_APPROVAL_THRESHOLD_MINOR: '1000' });
    sandbox = t.app.get<SandboxGateway>(PAYMENT_GATEWAY);
    const admin = await adminUser(t);
    finance = await staffUser(t, admin, ['finance']);
    second = await staffUser(t, admin, ['finance']);
    auditor = await staffUser(t, admin, ['auditor']);
    customer = await signUp(t, { currency: 'EUR' });
    await t.settle();
    const wallets = await t.http().get('/wallets').set('Authorization', customer.auth).expect(200);
    walletId = wallets.body.items[0].id;
    doc = (await t.http().get('/openapi.json').expect(200)).body as OpenApiDocument;
  });
  afterAll(() => t?.close());

  /** The answer is exactly what the OpenAPI document declares for its operation and status. */
  function conforms(
    method: (typeof FINANCE_OPERATIONS)[number][0],
    path: (typeof FINANCE_OPERATIONS)[number][1],
    res: { status: number; body: unknown },
  ) {
    const schema = responseSchema(doc, method, path, res.status);
    expect([method, path, res.status, schema === undefined]).toEqual([
      method,
      path,
      res.status,
      false,
    ]);
    expect(schemaViolations(doc, schema!, res.body)).toEqual([]);
  }

  it('declares the schema of every success answer of every finance operation', () => {
    const declared = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/finance'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => [method, path]));
    expect(declared.sort()).toEqual([...FINANCE_OPERATIONS].map((o) => [...o]).sort());
    const undeclared = FINANCE_OPERATIONS.flatMap(([method, path]) => {
      const operation = must(doc.paths[path]?.[method], `${method} ${path}`);
      const responses = Object.entries(operation.responses ?? {}).filter(([status]) =>
        status.startsWith('2'),
      );
      if (responses.length === 0) return [`${method} ${path}: no success answer`];
      return responses
        .filter(([, r]) => !r.content?.['application/json']?.schema)
        .map(([status]) => `${method} ${path} ${status}: no schema`);
    });
    expect(undeclared).toEqual([]);
    expect(responseSchema(doc, 'get', '/finance/reconciliation', 200, 'text/csv')).toEqual({
      type: 'string',
    });
  });

  async function topUp(amountMinor: number): Promise<{ movementId: string; intent: string }> {
    const res = await t
      .http()
      .post('/top-ups')
      .set('Authorization', customer.auth)
      .set('Idempotency-Key', key())
      .send({ walletId, amountMinor, currency: 'EUR' });
    expect(res.status).toBe(202);
    for (let attempt = 0; attempt < 200; attempt++) {
      const movement = await t
        .http()
        .get(`/movements/${res.body.id}`)
        .set('Authorization', customer.auth);
      if (movement.body.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const events = await t.store.readStream(res.body.id);
    const created = events.find((e) => e.type === 'PaymentIntentCreated')!;
    return { movementId: res.body.id, intent: String(created.data.paymentIntentId) };
  }

  const period = () => ({
    from: new Date(started.getTime() - 3_600_000).toISOString(),
    to: new Date(Date.now() + 3_600_000).toISOString(),
  });

  const adjust = (user: TestUser, body: Record<string, unknown>, idempotencyKey = key()) =>
    t
      .http()
      .post(`/wallets/${walletId}/adjustments`)
      .set('Authorization', user.auth)
      .set('Idempotency-Key', idempotencyKey)
      .send({
        account: 'adjustments',
        currency: 'EUR',
        reason: 'Correction for the test',
        ...body,
      });

  const balance = async () => {
    await t.settle();
    const res = await t
      .http()
      .get(`/wallets/${walletId}`)
      .set('Authorization', customer.auth)
      .expect(200);
    return res.body.postedMinor as string;
  };

  const financeActions = async (user: TestUser) => {
    const res = await t
      .http()
      .get(`/audit/security-events?userId=${user.userId}&type=FinanceActionRecorded&limit=100`)
      .set('Authorization', auditor.auth)
      .expect(200);
    return (res.body.items as Array<{ data: Record<string, unknown> }>).map((e) => e.data);
  };

  describe('reconciliation', () => {
    let clean: { movementId: string; intent: string };
    let altered: { movementId: string; intent: string };
    let lost: { movementId: string; intent: string };
    let misprojected: { movementId: string; intent: string };

    beforeAll(async () => {
      clean = await topUp(700);
      altered = await topUp(800);
      lost = await topUp(900);
      misprojected = await topUp(600);
      await t.settle();
      // The provider's side: one charge booked for another amount, one lost,
      // one the ledger never recorded.
      sandbox.report.alter(altered.intent, { amountMinor: 801n });
      sandbox.report.forget(lost.intent);
      sandbox.report.plant({
        type: 'charge',
        objectId: 'pi_planted_by_the_test',
        amountMinor: 555n,
        currency: 'EUR',
        occurredAt: new Date(),
        status: 'succeeded',
      });
      // The read models' side: a summary that disagrees with the log.
      await t.db.query(
        'UPDATE read_models.movement_summaries SET amount_minor = amount_minor + 1 WHERE movement_id = $1',
        [misprojected.movementId],
      );
    });

    it('reports each planted difference by kind, matches the rest, and writes nothing on GET', async () => {
      const { from, to } = period();
      const res = await t
        .http()
        .get(`/finance/reconciliation?from=${from}&to=${to}`)
        .set('Authorization', auditor.auth);
      expect(res.status).toBe(200);
      conforms('get', '/finance/reconciliation', res);
      const kinds = (res.body.breaks as Array<{ kind: string; objectId: string }>).map((b) => [
        b.kind,
        b.objectId,
      ]);
      expect(kinds).toEqual(
        expect.arrayContaining([
          ['amount_mismatch', altered.intent],
          ['missing_at_provider', lost.intent],
          ['missing_in_ledger', 'pi_planted_by_the_test'],
          ['read_model_mismatch', misprojected.movementId],
          ['clearing_mismatch', 'system:card_clearing'],
        ]),
      );
      expect(kinds).toHaveLength(5);
      const matched = (res.body.matched as Array<{ objectId: string }>).map((m) => m.objectId);
      expect(matched).toEqual(expect.arrayContaining([clean.intent, misprojected.intent]));
      expect(res.body.clearing).toEqual([
        {
          account: 'system:card_clearing',
          currency: 'EUR',
          openingMinor: '0',
          settledMinor: String(700 + 801 + 600 + 555),
          actualMinor: '3000',
          expectedMinor: String(700 + 801 + 600 + 555),
          differenceMinor: String(3000 - (700 + 801 + 600 + 555)),
        },
      ]);
      // The embedded M-Pesa rail is the sandbox too, and nothing went through it.
      expect(res.body.providers).toEqual([
        { provider: 'sandbox', rail: 'card', report: 'complete', items: 4 },
        { provider: 'mpesa-sandbox', rail: 'mpesa', report: 'complete', items: 0 },
      ]);
      const stored = await t.http().get('/finance/breaks').set('Authorization', auditor.auth);
      expect(stored.body).toEqual({ items: [], nextCursor: null });
      conforms('get', '/finance/breaks', stored);
    });

    it('answers the same report as CSV, one request away', async () => {
      const { from, to } = period();
      const res = await t
        .http()
        .get(`/finance/reconciliation?from=${from}&to=${to}`)
        .set('Authorization', finance.auth)
        .set('Accept', 'text/csv');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const rows = res.text.trimEnd().split('\r\n');
      expect(rows[0]).toBe(
        'row,kind,status,provider,object_id,movement_id,currency,ledger_amount_minor,provider_amount_minor,detail',
      );
      expect(rows.filter((r) => r.startsWith('break,'))).toHaveLength(5);
      expect(rows).toContainEqual(expect.stringMatching(/^break,amount_mismatch,open,sandbox,/));
      expect(rows.filter((r) => r.startsWith('clearing,'))).toHaveLength(1);
    });

    it('refuses a malformed period with a named 400', async () => {
      const res = await t
        .http()
        .get('/finance/reconciliation?from=2026-12-01&to=2026-11-01')
        .set('Authorization', finance.auth);
      expect([res.status, res.body.code]).toEqual([400, 'invalid_reconciliation_period']);
    });

    it('records breaks for finance, who explain one and resolve another with an adjustment that references it', async () => {
      const recorded = await t
        .http()
        .post('/finance/reconciliation')
        .set('Authorization', finance.auth)
        .send(period());
      expect(recorded.status).toBe(200);
      conforms('post', '/finance/reconciliation', recorded);
      const open = await t
        .http()
        .get('/finance/breaks?status=open')
        .set('Authorization', auditor.auth)
        .expect(200);
      expect(open.body.items).toHaveLength(5);
      conforms('get', '/finance/breaks', open);
      const byKind = Object.fromEntries(
        (open.body.items as Array<{ kind: string; id: string }>).map((b) => [b.kind, b.id]),
      );

      const explained = await t
        .http()
        .post(`/finance/breaks/${byKind.missing_in_ledger}/explain`)
        .set('Authorization', finance.auth)
        .send({ reason: 'A charge of the old platform, booked to our account by mistake' });
      expect(explained.status).toBe(200);
      conforms('post', '/finance/breaks/{id}/explain', explained);
      expect(explained.body).toMatchObject({ status: 'explained', changedBy: finance.userId });
      const again = await t
        .http()
        .post(`/finance/breaks/${byKind.missing_in_ledger}/explain`)
        .set('Authorization', finance.auth)
        .send({ reason: 'twice' });
      expect([again.status, again.body.code]).toEqual([409, 'break_not_open']);

      const before = await balance();
      const resolved = await t
        .http()
        .post(`/finance/breaks/${byKind.amount_mismatch}/resolve`)
        .set('Authorization', finance.auth)
        .set('Idempotency-Key', key())
        .send({
          walletId,
          direction: 'credit',
          amountMinor: 1,
          currency: 'EUR',
          account: 'card_clearing',
          reason: 'The provider settled one cent more than the ledger credited',
        });
      expect(resolved.status).toBe(201);
      conforms('post', '/finance/breaks/{id}/resolve', resolved);
      expect(resolved.body.break).toMatchObject({
        status: 'resolved',
        resolvedByAdjustment: resolved.body.adjustment.id,
      });
      expect(resolved.body.adjustment).toMatchObject({
        status: 'posted',
        breakId: byKind.amount_mismatch,
      });
      expect(BigInt(await balance())).toBe(BigInt(before) + 1n);
      const twice = await t
        .http()
        .post(`/finance/breaks/${byKind.amount_mismatch}/resolve`)
        .set('Authorization', finance.auth)
        .set('Idempotency-Key', key())
        .send({
          walletId,
          direction: 'credit',
          amountMinor: 1,
          currency: 'EUR',
          account: 'card_clearing',
          reason: 'again',
        });
      expect([twice.status, twice.body.code]).toEqual([409, 'break_already_resolved']);
      const unknown = await t
        .http()
        .post('/finance/breaks/brk_000000000000000000000000/explain')
        .set('Authorization', finance.auth)
        .send({ reason: 'no such break' });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'break_not_found']);

      // A rerun keeps what finance decided.
      const rerun = await t
        .http()
        .get(`/finance/reconciliation?from=${period().from}&to=${period().to}`)
        .set('Authorization', auditor.auth);
      const statuses = Object.fromEntries(
        (rerun.body.breaks as Array<{ id: string; status: string }>).map((b) => [b.id, b.status]),
      );
      expect(statuses[must(byKind.missing_in_ledger, 'missing_in_ledger break')]).toBe('explained');
      expect(statuses[must(byKind.amount_mismatch, 'amount_mismatch break')]).toBe('resolved');

      const actions = (await financeActions(finance)).map((d) => [d.action, d.subject]);
      expect(actions).toEqual(
        expect.arrayContaining([
          ['breaks_recorded', expect.any(String)],
          ['break_explained', byKind.missing_in_ledger],
          ['break_resolved', byKind.amount_mismatch],
          ['adjustment_posted', resolved.body.adjustment.id],
        ]),
      );
    });
  });

  describe('four eyes', () => {
    it('an adjustment above the threshold waits for a second finance user; the requester cannot approve', async () => {
      const before = await balance();
      const asked = await adjust(finance, { direction: 'credit', amountMinor: 5_000 });
      expect(asked.status).toBe(202);
      expect(asked.body.adjustment).toMatchObject({
        status: 'pending_approval',
        requestedBy: finance.userId,
        amountMinor: '5000',
      });
      expect(await balance()).toBe(before);
      const id = asked.body.adjustment.id;

      const self = await t
        .http()
        .post(`/finance/adjustments/${id}/approve`)
        .set('Authorization', finance.auth)
        .send({ reason: 'my own' });
      expect([self.status, self.body.code]).toEqual([403, 'approver_is_requester']);
      expect(await balance()).toBe(before);

      const pending = await t
        .http()
        .get('/finance/adjustments?status=pending_approval')
        .set('Authorization', auditor.auth)
        .expect(200);
      expect(pending.body.items.map((a: { id: string }) => a.id)).toContain(id);
      conforms('get', '/finance/adjustments', pending);

      const approved = await t
        .http()
        .post(`/finance/adjustments/${id}/approve`)
        .set('Authorization', second.auth)
        .send({ reason: 'Checked against the bank statement' });
      expect(approved.status).toBe(200);
      conforms('post', '/finance/adjustments/{id}/approve', approved);
      expect(approved.body.position).toEqual(expect.any(String));
      expect(approved.body.adjustment).toMatchObject({
        status: 'posted',
        decidedBy: second.userId,
      });
      expect(BigInt(await balance())).toBe(BigInt(before) + 5_000n);
      const twice = await t
        .http()
        .post(`/finance/adjustments/${id}/approve`)
        .set('Authorization', second.auth)
        .send({ reason: 'again' });
      expect([twice.status, twice.body.code]).toEqual([409, 'approval_not_pending']);
      expect(BigInt(await balance())).toBe(BigInt(before) + 5_000n);

      // Each step is an event in the store, on the stream of who took it.
      const requested = await t.store.readStream(`identity-${finance.userId}`);
      const approvals = await t.store.readStream(`identity-${second.userId}`);
      expect(
        requested.some(
          (e) =>
            e.type === 'FinanceActionRecorded' &&
            e.data.action === 'adjustment_requested' &&
            e.data.subject === id,
        ),
      ).toBe(true);
      expect(
        approvals.find(
          (e) => e.type === 'FinanceActionRecorded' && e.data.action === 'adjustment_approved',
        )?.data,
      ).toMatchObject({
        subject: id,
        reason: 'Checked against the bank statement',
        requestedBy: finance.userId,
      });
    });

    it('a rejected request posts nothing', async () => {
      const before = await balance();
      const asked = await adjust(finance, { direction: 'debit', amountMinor: 2_000 });
      expect(asked.status).toBe(202);
      const rejected = await t
        .http()
        .post(`/finance/adjustments/${asked.body.adjustment.id}/reject`)
        .set('Authorization', second.auth)
        .send({ reason: 'No evidence attached' });
      expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: second.userId });
      conforms('post', '/finance/adjustments/{id}/reject', rejected);
      const late = await t
        .http()
        .post(`/finance/adjustments/${asked.body.adjustment.id}/approve`)
        .set('Authorization', second.auth)
        .send({ reason: 'changed my mind' });
      expect([late.status, late.body.code]).toEqual([409, 'approval_not_pending']);
      expect(await balance()).toBe(before);
    });

    it('lists requests newest first, a page at a time', async () => {
      const page = (cursor?: string) =>
        t
          .http()
          .get(`/finance/adjustments?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
          .set('Authorization', auditor.auth)
          .expect(200);
      const first = await page();
      const second = await page(first.body.nextCursor);
      expect(first.body.items).toHaveLength(1);
      expect(second.body.items).toHaveLength(1);
      expect(first.body.items[0].requestedAt >= second.body.items[0].requestedAt).toBe(true);
      expect(first.body.items[0].id).not.toBe(second.body.items[0].id);
      const bad = await t
        .http()
        .get('/finance/adjustments?cursor=nope')
        .set('Authorization', auditor.auth);
      expect([bad.status, bad.body.code]).toEqual([400, 'invalid_cursor']);
    });

    it('a reversal is a linked compensating entry: opposite way, never more than is left', async () => {
      const posted = await adjust(finance, { direction: 'credit', amountMinor: 900 });
      expect(posted.status).toBe(201);
      const entryId = (
        await t.http().get('/finance/adjustments?status=posted').set('Authorization', auditor.auth)
      ).body.items.find((a: { id: string }) => a.id === posted.body.adjustmentId).entryId;
      await t.settle();
      const before = await balance();
      const same = await adjust(finance, {
        direction: 'credit',
        amountMinor: 100,
        reverses: entryId,
      });
      expect([same.status, same.body.code]).toEqual([422, 'reversal_direction_mismatch']);
      const part = await adjust(finance, {
        direction: 'debit',
        amountMinor: 600,
        reverses: entryId,
      });
      expect(part.status).toBe(201);
      const beyond = await adjust(finance, {
        direction: 'debit',
        amountMinor: 301,
        reverses: entryId,
      });
      expect([beyond.status, beyond.body.code]).toEqual([422, 'reversal_exceeds_entry']);
      const none = await adjust(finance, {
        direction: 'debit',
        amountMinor: 1,
        reverses: '00000000-0000-4000-8000-000000000000',
      });
      expect([none.status, none.body.code]).toEqual([404, 'entry_not_found']);
      expect(BigInt(await balance())).toBe(BigInt(before) - 600n);
      const history = await t
        .http()
        .get(`/wallets/${walletId}/history?kind=reversal`)
        .set('Authorization', customer.auth)
        .expect(200);
      expect(history.body.items).toHaveLength(1);
      expect(history.body.items[0]).toMatchObject({ amountMinor: '600', direction: 'debit' });
    });
  });

  describe('period close', () => {
    const now = new Date();
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
    const lastMonth = last.toISOString().slice(0, 7);
    const thisMonth = now.toISOString().slice(0, 7);

    it('closes an ended month with a signed seal of its trial balance, once', async () => {
      const early = await t
        .http()
        .post(`/finance/periods/${thisMonth}/close`)
        .set('Authorization', finance.auth)
        .send({ reason: 'too early' });
      expect([early.status, early.body.code]).toEqual([409, 'period_not_ended']);
      const bad = await t
        .http()
        .post('/finance/periods/2026-13/close')
        .set('Authorization', finance.auth)
        .send({ reason: 'no such month' });
      expect([bad.status, bad.body.code]).toEqual([400, 'invalid_period']);

      const closed = await t
        .http()
        .post(`/finance/periods/${lastMonth}/close`)
        .set('Authorization', finance.auth)
        .send({ reason: 'Month end, reconciliation clean' });
      expect(closed.status).toBe(201);
      conforms('post', '/finance/periods/{period}/close', closed);
      const seal = closed.body as PeriodSeal;
      expect(seal).toMatchObject({
        version: 'ledger-period-close-v1',
        period: lastMonth,
        closedBy: finance.userId,
      });
      const key = await t.http().get('/ledger/checkpoints/public-key').expect(200);
      expect(seal.keyId).toBe(key.body.keyId);
      const publicKey = publicKeyFromBase64(key.body.publicKey);
      expect(sealValid(seal, publicKey)).toBe(true);
      expect(sealValid({ ...seal, reason: 'edited' }, publicKey)).toBe(false);

      const read = await t
        .http()
        .get(`/finance/periods/${lastMonth}`)
        .set('Authorization', auditor.auth)
        .expect(200);
      expect(read.body).toEqual(seal);
      conforms('get', '/finance/periods/{period}', read);
      const twice = await t
        .http()
        .post(`/finance/periods/${lastMonth}/close`)
        .set('Authorization', second.auth)
        .send({ reason: 'again' });
      expect([twice.status, twice.body.code]).toEqual([409, 'period_already_closed']);
      const list = await t
        .http()
        .get('/finance/periods')
        .set('Authorization', auditor.auth)
        .expect(200);
      expect(list.body.items.map((s: PeriodSeal) => s.period)).toEqual([lastMonth]);
      conforms('get', '/finance/periods', list);
      expect((await financeActions(finance)).map((d) => [d.action, d.subject])).toContainEqual([
        'period_closed',
        lastMonth,
      ]);
    });

    it('refuses anything dated inside the closed month; a correction goes in the open one and says what it corrects', async () => {
      const before = await balance();
      const countBefore = await t.eventCount();
      const dated = await adjust(finance, {
        direction: 'credit',
        amountMinor: 10,
        effectiveAt: last.toISOString(),
      });
      expect([dated.status, dated.body.code]).toEqual([409, 'period_closed']);
      expect(await t.eventCount()).toBe(countBefore);
      expect(await balance()).toBe(before);

      const correction = await adjust(finance, {
        direction: 'credit',
        amountMinor: 10,
        corrects: lastMonth,
        reason: 'Fee refunded late',
      });
      expect(correction.status).toBe(201);
      await t.settle();
      const history = await t
        .http()
        .get(`/wallets/${walletId}/history?kind=adjustment&limit=100`)
        .set('Authorization', customer.auth)
        .expect(200);
      expect(history.body.items.map((h: { description: string }) => h.description)).toContainEqual(
        `Fee refunded late (by ${finance.userId}); corrects ${lastMonth}`,
      );
    });
  });

  it('customers see none of it', async () => {
    for (const path of ['/finance/breaks', '/finance/periods', '/finance/adjustments']) {
      const res = await t.http().get(path).set('Authorization', customer.auth);
      expect([path, res.status]).toEqual([path, 403]);
    }
  });
});
