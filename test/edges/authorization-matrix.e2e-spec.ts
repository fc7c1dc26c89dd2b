/* eslint-disable max-lines -- the ownership tables (OWNED_IDS, NOT_OWNED) stay beside the matrix
   that enforces them, so a new route's ids are added where they are checked. */
import { must } from '@ledger/invariant';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { sign } from 'jsonwebtoken';
import { databaseFactories } from '@ledger/testing';
import {
  adminUser,
  key,
  PASSWORD,
  signUp,
  staffUser,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';
import { probeEvents } from '../support/sse-client';
import { customer, ManualClock, type Customer } from './edges-support';

type Kind = 'wallet' | 'destination' | 'movement' | 'card';

/** Routes anyone may call. Every other operation in the document must refuse a caller without a valid access token. */
const PUBLIC = new Set([
  'get /health',
  'get /health/live',
  'get /health/ready',
  'get /ledger/checkpoints/public-key',
  'get /problems/{code}',
  'post /auth/session/refresh',
  'post /auth/signup',
  'post /auth/login',
  'post /auth/login/2fa',
  'post /auth/refresh',
  'post /auth/password-reset',
  'post /auth/password-reset/confirm',
  'get /auth/google',
  'get /auth/google/callback',
  'get /currencies',
]);

/** Staff routes and the roles that may call them; customers get 403. */
const STAFF: Record<string, readonly string[]> = {
  'post /wallets/{id}/adjustments': ['finance', 'admin'],
  'post /wallets/{id}/freeze': ['finance', 'admin'],
  'post /wallets/{id}/unfreeze': ['finance', 'admin'],
  'get /ledger/trial-balance': ['finance', 'auditor', 'admin'],
  'get /ledger/accounts': ['finance', 'auditor', 'admin'],
  'get /ledger/projections': ['finance', 'auditor', 'admin'],
  'get /ledger/events': ['finance', 'auditor', 'admin'],
  'get /ledger/verify': ['finance', 'auditor', 'admin'],
  'get /ledger/checkpoints': ['finance', 'auditor', 'admin'],
  'get /audit/security-events': ['auditor', 'admin'],
  'get /admin/users': ['admin'],
  'put /admin/users/{id}/roles': ['admin'],
  'get /finance/reconciliation': ['finance', 'auditor', 'admin'],
  'post /finance/reconciliation': ['finance'],
  'get /finance/breaks': ['finance', 'auditor', 'admin'],
  'post /finance/breaks/{id}/explain': ['finance'],
  'post /finance/breaks/{id}/resolve': ['finance'],
  'get /finance/adjustments': ['finance', 'auditor', 'admin'],
  'post /finance/adjustments/{id}/approve': ['finance'],
  'post /finance/adjustments/{id}/reject': ['finance'],
  'get /finance/periods': ['finance', 'auditor', 'admin'],
  'get /finance/periods/{period}': ['finance', 'auditor', 'admin'],
  'post /finance/periods/{period}/close': ['finance'],
  'get /admin/jobs/dead-letters': ['admin'],
  'get /admin/jobs/dead-letters/{id}': ['admin'],
  'post /admin/jobs/dead-letters/{id}/retry': ['admin'],
  'get /ledger/events/live': ['finance', 'auditor', 'admin'],
};

/** Event streams never end by themselves: they are opened, judged by their status and hung up. */
const STREAMS = new Set(['get /me/events', 'get /ledger/events/live']);

/**
 * Every id a customer can put in a request, and what it names. An id field
 * in the document that is neither here nor named in NOT_OWNED fails the test,
 * so a new route cannot skip the ownership check.
 */
const OWNED_IDS: Record<string, Kind> = {
  'get /wallets/{id} path.id': 'wallet',
  'get /wallets/{id}/history path.id': 'wallet',
  'get /wallets/{id}/statement path.id': 'wallet',
  'post /wallets/{id}/close path.id': 'wallet',
  'get /movements/wallets/{walletId}/statistics path.walletId': 'wallet',
  'get /movements/{id} path.id': 'movement',
  'delete /payout-destinations/{id} path.id': 'destination',
  'post /transfers body.fromWalletId': 'wallet',
  'post /transfers/quote body.fromWalletId': 'wallet',
  'post /top-ups body.walletId': 'wallet',
  'post /withdrawals body.walletId': 'wallet',
  'post /withdrawals body.destinationId': 'destination',
  'post /top-ups body.paymentMethodId': 'card',
  'delete /cards/{id} path.id': 'card',
  'post /payments body.walletId': 'wallet',
  'post /payments/{id}/refunds path.id': 'movement',
};

/** Id fields that may name another's object by design, or that only staff reach; and why. */
const NOT_OWNED: Record<string, string> = {
  'post /transfers body.toWalletId': 'a recipient is by definition someone else',
  'post /transfers/quote body.toWalletId':
    'the recipient a transfer would name: answers only its currency',
  'get /wallets query.ownerId': 'ignored for customers: asserted separately',
  'get /me/events query.lastEventId': 'a log position to resume from, not an object',
  'post /payments body.merchantId':
    'a merchant is by definition someone else; a user without the merchant role answers as no merchant (payments e2e)',
  'post /cards/setup-intents/{id}/confirm path.id':
    "a provider's SetupIntent, only ever answered for the caller's own customer; another's answers 404 as a missing one does (cards-stripe int-spec), and the sandbox has none",
  'get /movements query.walletId':
    "a filter over the caller's own movements: another's wallet lists nothing, as a missing one does (statements e2e)",
};

const isIdField = (name: string) => /(^id$|Id$)/.test(name);

/**
 * Two customers, each staff role, and callers without a valid token, on
 * every operation of the served OpenAPI document. Another customer's id in
 * any id field answers exactly as a missing id (same status, same body);
 * staff routes answer 403 to every role they do not name; and anonymous,
 * forged, unsigned, expired and misused tokens answer 401.
 */
describe.each(databaseFactories())('authorization matrix on $name', (factory) => {
  let t: LedgerTestApp;
  const clock = new ManualClock(Date.now());
  const secret = randomBytes(48).toString('base64');
  let alice: Customer;
  let bob: Customer;
  let roles: Record<string, TestUser>;
  const owned: Record<string, Record<Kind, string>> = {};
  let ops: Array<{ id: string; method: string; path: string; fields: string[] }>;
  const statuses = new Map<number, number>();
  let sent = 0;

  beforeAll(async () => {
    t = await startLedgerApp(factory, { LEDGER_JWT_SECRET: secret }, clock);
    const admin = await adminUser(t);
    roles = {
      finance: await staffUser(t, admin, ['finance']),
      auditor: await staffUser(t, admin, ['auditor']),
      admin,
    };
    alice = await customer(t, await signUp(t), clock);
    bob = await customer(t, await signUp(t), clock);
    for (const c of [alice, bob]) {
      const topUp = await t
        .http()
        .post('/top-ups')
        .set('Authorization', c.auth)
        .set('Idempotency-Key', key())
        .send({ walletId: c.walletId, amountMinor: 100, currency: 'EUR' });
      expect(topUp.status).toBe(202);
      await t
        .http()
        .post('/cards/setup-intents')
        .set('Authorization', c.auth)
        .set('Idempotency-Key', key())
        .expect(201);
      const cards = await t.http().get('/cards').set('Authorization', c.auth).expect(200);
      owned[c.userId] = {
        wallet: c.walletId,
        destination: c.destinationId,
        movement: topUp.body.id,
        card: cards.body.items[0].paymentMethodId,
      };
    }
    const doc = (await t.http().get('/openapi.json').expect(200)).body;
    ops = Object.entries(
      doc.paths as Record<string, Record<string, Record<string, unknown>>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const params = (op.parameters ?? []) as Array<{ name: string; in: string }>;
        const ref = (op.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> })
          ?.content?.['application/json']?.schema?.$ref;
        const props = ref ? doc.components.schemas[ref.split('/').pop()!].properties : {};
        const fields = [
          ...params.filter((p) => p.in !== 'header').map((p) => `${p.in}.${p.name}`),
          ...Object.keys(props ?? {}).map((name) => `body.${name}`),
        ];
        return { id: `${method} ${path}`, method, path, fields };
      }),
    );
    await t.settle();
  });
  afterAll(() => {
    console.log(
      `Authorization matrix: ${ops?.length} operations, ${sent} requests sent, ` +
        `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    return t?.close();
  });

  async function call(
    op: { method: string; path: string },
    auth: string | undefined,
    options: { ids?: Record<string, string>; body?: object; code?: string } = {},
  ) {
    const path = op.path.replace(
      /\{(\w+)\}/g,
      (_, name: string) => options.ids?.[name] ?? randomUUID(),
    );
    if (STREAMS.has(`${op.method} ${op.path}`)) {
      const res = await probeEvents(t.app.getHttpServer() as Server, path, {
        ...(auth && { Authorization: auth }),
      });
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      return res;
    }
    let req = t.http()[op.method as 'get'](path).set('Idempotency-Key', key());
    if (auth) req = req.set('Authorization', auth);
    if (options.code) req = req.set('X-2FA-Code', options.code);
    const res = await (options.body ? req.send(options.body) : req);
    sent++;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    return res;
  }

  it('classifies every id field of every operation a customer can call', () => {
    const unclassified = ops.flatMap((op) =>
      STAFF[op.id] || PUBLIC.has(op.id)
        ? []
        : op.fields
            .filter((f) => isIdField(f.split('.')[1] ?? ''))
            .map((f) => `${op.id} ${f}`)
            .filter((f) => !(f in OWNED_IDS) && !(f in NOT_OWNED)),
    );
    expect(unclassified).toEqual([]);
    const known = new Set(ops.flatMap((op) => op.fields.map((f) => `${op.id} ${f}`)));
    expect(Object.keys(OWNED_IDS).filter((f) => !known.has(f))).toEqual([]);
    expect(Object.keys(STAFF).filter((id) => !ops.some((op) => op.id === id))).toEqual([]);
  });

  it('answers 401 to anonymous, forged, unsigned, expired and misused tokens on every protected operation', async () => {
    const claims = { sub: alice.userId, sid: randomUUID(), typ: 'access' };
    const options = { issuer: 'ledger', audience: 'ledger-api' };
    const refresh = await t
      .http()
      .post('/auth/login')
      .send({ email: must(roles.auditor, 'auditor').email, password: PASSWORD });
    const challenge = await t
      .http()
      .post('/auth/login')
      .send({ email: alice.email, password: PASSWORD });
    expect(challenge.body.challengeToken).toEqual(expect.any(String));
    const tokens: Record<string, string | undefined> = {
      anonymous: undefined,
      'not a JWT': 'Bearer not.a.jwt',
      'another scheme': `Basic ${alice.token}`,
      'another secret': `Bearer ${sign(claims, 'another secret that is long enough!!', { ...options, expiresIn: 60 })}`,
      'alg none': `Bearer ${sign(claims, '', { ...options, algorithm: 'none' })}`,
      expired: `Bearer ${sign({ ...claims, exp: 1 }, secret, options)}`,
      'another audience': `Bearer ${sign(claims, secret, { ...options, audience: 'elsewhere', expiresIn: 60 })}`,
      'no such session': `Bearer ${sign(claims, secret, { ...options, expiresIn: 60 })}`,
      'refresh token': `Bearer ${refresh.body.refreshToken}`,
      'challenge token': `Bearer ${challenge.body.challengeToken}`,
    };
    const wrong: string[] = [];
    for (const op of ops.filter((op) => !PUBLIC.has(op.id))) {
      for (const [name, auth] of Object.entries(tokens)) {
        const res = await call(op, auth, { body: {} });
        if (res.status !== 401 || !/^(access_token|session)_[a-z_]+$/.test(res.body.error))
          wrong.push(`${op.id} with ${name}: ${res.status} ${res.body.error}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 on a staff route to every role it does not name', async () => {
    const wrong: string[] = [];
    for (const op of ops.filter((op) => STAFF[op.id])) {
      for (const [role, user] of [['customer', alice] as const, ...Object.entries(roles)]) {
        const res = await call(op, user.auth, { body: {} });
        const allowed = (STAFF[op.id] ?? []).includes(role);
        if (allowed ? res.status === 401 || res.status === 403 : res.status !== 403)
          wrong.push(`${op.id} as ${role}: ${res.status} ${res.body.error}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('auditors change nothing: every staff route that is not a read refuses an auditor', async () => {
    const mutating = ops.filter((op) => STAFF[op.id] && op.method !== 'get');
    expect(mutating.length).toBeGreaterThanOrEqual(10);
    expect(mutating.filter((op) => STAFF[op.id]?.includes('auditor')).map((op) => op.id)).toEqual(
      [],
    );
    const wrong: string[] = [];
    for (const op of mutating) {
      const res = await call(op, must(roles.auditor, 'auditor').auth, {
        body: { reason: 'an auditor tries' },
      });
      if (res.status !== 403 || res.body.error !== 'role_required')
        wrong.push(`${op.id}: ${res.status} ${res.body.error}`);
    }
    expect(wrong).toEqual([]);
  });

  it("answers another customer's id in every id field exactly as a missing id", async () => {
    const missing: Record<Kind, () => string> = {
      wallet: randomUUID,
      destination: randomUUID,
      movement: () => `topup-${randomUUID()}`,
      card: () => `pm_${randomUUID().replace(/-/g, '')}`,
    };
    const wrong: string[] = [];
    const paymentMerchant = randomUUID();
    for (const [me, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const mine = must(owned[me.userId], 'my ids');
      const theirIds = must(owned[other.userId], 'their ids');
      const bodies: Record<string, object> = {
        'post /transfers': {
          fromWalletId: mine.wallet,
          toEmail: other.email,
          amountMinor: 1,
          currency: 'EUR',
        },
        'post /transfers/quote': {
          fromWalletId: mine.wallet,
          toEmail: other.email,
          amountMinor: 1,
        },
        'post /top-ups': {
          walletId: mine.wallet,
          amountMinor: 1,
          currency: 'EUR',
          paymentMethodId: mine.card,
        },
        'post /payments': {
          merchantId: paymentMerchant,
          walletId: mine.wallet,
          amountMinor: 1,
          currency: 'EUR',
          reference: 'order-1',
        },
        'post /payments/{id}/refunds': { amountMinor: 1 },
        'post /withdrawals': {
          walletId: mine.wallet,
          amountMinor: 1,
          currency: 'EUR',
          destinationId: mine.destination,
        },
      };
      for (const [target, kind] of Object.entries(OWNED_IDS)) {
        const [method = '', path = '', field = ''] = target.split(' ');
        const [where, name = ''] = field.split('.');
        const send = async (id: string) =>
          call({ method, path }, me.auth, {
            ids: where === 'path' ? { [name]: id } : {},
            body:
              where === 'body'
                ? { ...bodies[`${method} ${path}`], [name]: id }
                : bodies[`${method} ${path}`],
            code: path === '/withdrawals' ? await me.code() : undefined,
          });
        const theirs = await send(theirIds[kind]);
        const none = await send(missing[kind]());
        if (
          theirs.status !== 404 ||
          JSON.stringify([theirs.status, theirs.body]) !== JSON.stringify([none.status, none.body])
        )
          wrong.push(
            `${target}: theirs ${theirs.status} ${JSON.stringify(theirs.body)}, missing ${none.status} ${JSON.stringify(none.body)}`,
          );
      }
      const list = await call({ method: 'get', path: `/wallets?ownerId=${other.userId}` }, me.auth);
      expect(list.body.items.map((w: { ownerId: string }) => w.ownerId)).toEqual(
        list.body.items.map(() => me.userId),
      );
    }
    expect(wrong).toEqual([]);
    // Nothing of theirs was touched by the attempts.
    for (const c of [alice, bob]) {
      const wallet = await call({ method: 'get', path: `/wallets/${c.walletId}` }, c.auth);
      expect(wallet.body.status).toBe('open');
      const destinations = await call({ method: 'get', path: '/payout-destinations' }, c.auth);
      expect(destinations.body.items.map((d: { id: string }) => d.id)).toContain(c.destinationId);
      const cards = await call({ method: 'get', path: '/cards' }, c.auth);
      expect(cards.body.items.map((d: { paymentMethodId: string }) => d.paymentMethodId)).toContain(
        owned[c.userId]?.card,
      );
    }
  });
});
