import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { databaseFactories } from '@ledger/testing';
import {
  adminUser,
  key,
  PASSWORD,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';
import { probeEvents } from '../support/sse-client';
import { customer, ledgerHead, ManualClock, type Customer } from './edges-support';
import {
  BODY_FIELD_VARIANTS,
  BODY_LEVEL_VARIANTS,
  CORE_BODY_LEVEL_VARIANTS,
  HEADER_VARIANTS,
  PATH_VARIANTS,
  QUERY_VARIANTS,
} from './fuzz-variants';

const STREAMS = new Set(['get /me/events', 'get /ledger/events/live']);

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly params: ReadonlyArray<{ name: string; in: string }>;
  readonly bodyFields: readonly string[];
}

/** What is being malformed, so a refusal can be checked for naming it. */
interface Case {
  readonly op: Operation;
  readonly target: string;
  /** The malformed value or the whole-body problem, for the failure message. */
  readonly variant: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
}

const MARK = '@@fuzz@@';
const MAX_CODES_PER_LOGIN = 20;

/**
 * Schema-driven fuzz: for every operation of the served OpenAPI document,
 * every parameter and body field is replaced, one at a time, by malformed
 * values, and whole bodies are malformed too. Each base request is valid in
 * form but refused by the domain (a missing wallet, a taken e-mail), so a
 * malformed value that slips through validation still writes nothing. No
 * answer may be a 5xx, every refusal names its problem, and no request adds
 * a ledger event (identity's security events record refused logins by design).
 */
describe.each(databaseFactories())('OpenAPI fuzz on $name', (factory) => {
  let t: LedgerTestApp;
  const clock = new ManualClock(Date.now());
  let caller: Customer;
  let plain: TestUser;
  let auth = '';
  let codesSinceLogin = 0;

  beforeAll(async () => {
    t = await startLedgerApp(factory, {}, clock);
    caller = await customer(t, await adminUser(t), clock);
    auth = caller.auth;
    plain = await signUp(t);
    await t.settle();
  });
  afterAll(() => t?.close());

  /** A fresh second-factor code; the clock moves with every code, so the session is renewed in time. */
  async function freshCode(): Promise<string> {
    if (++codesSinceLogin >= MAX_CODES_PER_LOGIN) {
      const login = await t
        .http()
        .post('/auth/login')
        .send({ email: caller.email, password: PASSWORD });
      const second = await t
        .http()
        .post('/auth/login/2fa')
        .send({ challengeToken: login.body.challengeToken, code: await caller.code() });
      if (second.status !== 200) throw new Error(`Re-login failed: ${second.status}`);
      auth = `Bearer ${second.body.accessToken}`;
      codesSinceLogin = 0;
    }
    return caller.code();
  }

  /** Bodies valid in form and refused by the domain without writing anything. */
  const baseBodies = (): Record<string, Record<string, unknown>> => ({
    OpenWalletDto: { currency: 'EUR' },
    AdjustmentDto: {
      direction: 'credit',
      amountMinor: '1',
      currency: 'EUR',
      account: 'suspense',
      reason: 'fuzz',
    },
    FreezeDto: { reason: 'fuzz' },
    SignUpDto: { email: plain.email, password: PASSWORD, name: 'Fuzz', phone: '+4915112345678' },
    LoginDto: { email: 'nobody@example.com', password: 'not the password at all' },
    SecondFactorLoginDto: { challengeToken: 'x', code: '123456' },
    RefreshDto: { refreshToken: 'r'.repeat(40) },
    UpdateMeDto: { name: 'Fuzz', phone: null },
    TwoFactorCodeDto: { code: '000000' },
    EmailCodeDto: { code: '00000000' },
    ChangePasswordDto: { currentPassword: 'not the password at all', newPassword: 'short' },
    PasswordResetRequestDto: { email: 'nobody@example.com' },
    PasswordResetConfirmDto: {
      email: 'nobody@example.com',
      code: '00000000',
      newPassword: 'short',
    },
    ReplaceRolesDto: { roles: ['customer'] },
    RetryDeadLetterDto: { reason: 'fuzz' },
    CreateTransferDto: {
      fromWalletId: randomUUID(),
      toEmail: plain.email,
      amountMinor: '1',
      currency: 'EUR',
      description: 'fuzz',
    },
    TransferQuoteDto: { fromWalletId: randomUUID(), toEmail: plain.email, amountMinor: '1' },
    CreateTopUpDto: { walletId: randomUUID(), amountMinor: '1', currency: 'EUR' },
    CreatePaymentDto: {
      merchantId: randomUUID(),
      walletId: randomUUID(),
      amountMinor: '1',
      currency: 'EUR',
      reference: 'fuzz-1',
    },
    CreateRefundDto: { amountMinor: '1', reason: 'fuzz' },
    CreateWithdrawalDto: {
      walletId: randomUUID(),
      amountMinor: '1',
      currency: 'EUR',
      destinationId: caller.destinationId,
    },
    CreatePayoutDestinationDto: { type: 'bank_account', providerRef: 'ba_fuzz', label: 'Fuzz' },
    ReconciliationQueryDto: { from: '2026-11-01', to: '2026-12-01' },
    ReasonDto: { reason: 'fuzz' },
    ResolveBreakDto: {
      walletId: randomUUID(),
      direction: 'credit',
      amountMinor: '1',
      currency: 'EUR',
      account: 'suspense',
      reason: 'fuzz',
    },
  });

  /** Path ids: real ones for reads (so the query is validated too), missing ones for writes. */
  const basePath = (op: Operation, override?: { name: string; value: string }) =>
    op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (override?.name === name) return override.value;
      if (op.path.startsWith('/cards')) return 'pm_missing';
      if (op.path.startsWith('/movements/{id}')) return `transfer-${randomUUID()}`;
      if (op.method === 'get' && /wallet|^id$/i.test(name)) return caller.walletId;
      return randomUUID();
    });

  function operations(doc: {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  }): Operation[] {
    return Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const ref = (op.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> })
          ?.content?.['application/json']?.schema?.$ref;
        const schema = ref ? ref.split('/').pop()! : '';
        return {
          method,
          path,
          params: (op.parameters ?? []) as Array<{ name: string; in: string }>,
          bodyFields: Object.keys(doc.components.schemas[schema]?.properties ?? {}),
          schema,
        };
      }),
    );
  }

  const shapesSeen = new Set<string>();
  const namesSeen = new Set<string>();

  /**
   * Every variant the first time a field or parameter name appears; a
   * sample after that (`amountMinor`, `limit`, `position` recur across
   * operations through the same validators), which keeps the run short.
   */
  function variantsFor(name: string, variants: readonly string[]): readonly string[] {
    const first = !namesSeen.has(name);
    namesSeen.add(name);
    return first ? variants : variants.filter((_, i) => i % 3 === 0);
  }

  function cases(op: Operation & { schema?: string }): Case[] {
    const base = op.schema ? baseBodies()[op.schema] : undefined;
    if (op.schema && !base) throw new Error(`No base body for ${op.schema}`);
    const headers = { 'content-type': 'application/json', 'idempotency-key': key() };
    const bodyText = (field?: string) => JSON.stringify(field ? { ...base, [field]: MARK } : base);
    const of = (target: string, variant: string, changes: Partial<Case>): Case => ({
      op,
      target,
      variant: variant.slice(0, 40),
      path: basePath(op),
      headers: { ...headers, 'idempotency-key': key() },
      ...(base && { body: bodyText() }),
      ...changes,
    });
    const out: Case[] = [];
    for (const field of op.bodyFields) {
      for (const v of variantsFor(`body.${field}`, BODY_FIELD_VARIANTS))
        out.push(of(`body.${field}`, v, { body: bodyText(field).replace(`"${MARK}"`, v) }));
    }
    if (base) {
      out.push(
        of('body', '{}', { body: '{}' }),
        of('body.extra', 'extra', { body: JSON.stringify({ ...base, extra: 1 }) }),
      );
      out.push(of('body', 'none', { body: undefined }));
    }
    const shape = `${op.method} ${Boolean(base)}`;
    const full = !shapesSeen.has(shape);
    shapesSeen.add(shape);
    for (const v of BODY_LEVEL_VARIANTS.filter(
      (v) => full || CORE_BODY_LEVEL_VARIANTS.includes(v.name),
    )) {
      out.push(of('body', v.name, { body: v.body, headers: { ...headers, ...v.headers } }));
    }
    for (const p of op.params.filter((p) => p.in === 'path')) {
      for (const v of PATH_VARIANTS)
        out.push(of(`path.${p.name}`, v, { path: basePath(op, { name: p.name, value: v }) }));
    }
    for (const p of op.params.filter((p) => p.in === 'query')) {
      for (const v of variantsFor(`query.${p.name}`, QUERY_VARIANTS))
        out.push(of(`query.${p.name}`, v, { path: `${basePath(op)}?${p.name}=${v}` }));
      out.push(
        of(`query.${p.name}`, 'repeated', { path: `${basePath(op)}?${p.name}=1&${p.name}=2` }),
      );
    }
    for (const p of op.params.filter((p) => p.in === 'header')) {
      for (const v of HEADER_VARIANTS[p.name.toLowerCase()] ?? [])
        out.push(of(`header.${p.name}`, v, { headers: { ...headers, [p.name.toLowerCase()]: v } }));
    }
    return out;
  }

  /** Everything about one answer that breaks the rules, or nothing. */
  function problemsOf(c: Case, status: number, body: Record<string, unknown>): string[] {
    const problems: string[] = [];
    if (status >= 500) problems.push(`answered ${status}`);
    if (status < 400) return problems;
    if (typeof body.error !== 'string' || !/^[a-z][a-z0-9_]*$/.test(body.error))
      problems.push(`error code ${JSON.stringify(body.error)}`);
    if (typeof body.message !== 'string' || body.message === '') problems.push('no message');
    if (/node_modules|\.[jt]s:\d+|SELECT |\bstack\b/i.test(JSON.stringify(body)))
      problems.push('internals in the body');
    const named = c.target.match(/^(?:body|query)\.(\w+)$/)?.[1];
    if (status === 400 && named && !String(body.message).includes(named))
      problems.push(`400 does not name ${named}: ${String(body.message)}`);
    return problems;
  }

  async function send(c: Case): Promise<{ status: number; body: Record<string, unknown> }> {
    const twoFactor = c.op.params.some((p) => p.name.toLowerCase() === 'x-2fa-code');
    // Failed codes, wrong current passwords and logging out would end the
    // caller's second factor, lock its account or end its session for the rest of the run.
    const asPlain =
      (c.op.path.startsWith('/me/2fa/') && c.op.path !== '/me/2fa/enrol') ||
      c.op.path.startsWith('/me/email/') ||
      c.op.path === '/me/password' ||
      c.op.path === '/auth/logout';
    const headers = { ...c.headers };
    if (twoFactor && !c.target.startsWith('header.X-2FA-Code'))
      headers['x-2fa-code'] = await freshCode();
    if (STREAMS.has(`${c.op.method} ${c.op.path}`))
      // An event stream that opens never ends: its status is the answer.
      return probeEvents(t.app.getHttpServer() as Server, c.path, {
        ...headers,
        Authorization: asPlain ? plain.auth : auth,
      });
    let req = t
      .http()
      [c.op.method as 'get'](c.path)
      .set('Authorization', asPlain ? plain.auth : auth);
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    // Bytes go out as they are; the client would otherwise serialise a Buffer as JSON.
    if (Buffer.isBuffer(c.body)) req = req.serialize((bytes: unknown) => bytes as string);
    const res = c.body === undefined ? await req : await req.send(c.body);
    return { status: res.status, body: (res.body ?? {}) as Record<string, unknown> };
  }

  it('answers every malformed request with a 4xx that names the problem, and writes nothing', async () => {
    const doc = (await t.http().get('/openapi.json').expect(200)).body;
    const ops = operations(doc);
    // Codes that fail the second factor go last, so they cannot hold back the routes that need one.
    const all = ops
      .flatMap(cases)
      .sort(
        (a, b) =>
          Number(a.target === 'header.X-2FA-Code') - Number(b.target === 'header.X-2FA-Code'),
      );
    await t.settle();
    const before = await ledgerHead(t);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let unsendable = 0;
    for (const c of all) {
      const head = await ledgerHead(t);
      let answer;
      try {
        answer = await send(c);
      } catch (error) {
        // A value the HTTP client itself refuses to put on the wire never reaches the server.
        if (
          error instanceof TypeError ||
          (error as { code?: string }).code === 'ERR_INVALID_CHAR'
        ) {
          unsendable++;
          continue;
        }
        throw error;
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const found = problemsOf(c, answer.status, answer.body);
      if ((await ledgerHead(t)) !== head) found.push(`wrote to the ledger (${answer.status})`);
      for (const p of found)
        failures.push(`${c.op.method.toUpperCase()} ${c.op.path} ${c.target}=${c.variant}: ${p}`);
    }
    await t.settle();
    const after = await ledgerHead(t);
    console.log(
      `OpenAPI fuzz: ${ops.length} operations, ${all.length - unsendable} requests sent ` +
        `(${unsendable} not sendable by the client), statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    expect(failures).toEqual([]);
    expect(ops.length).toBeGreaterThan(30);
    expect(after).toBe(before);
  }, 180_000);
});
